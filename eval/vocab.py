"""Word banks for generated site chrome and copy edits, per language ("ar", "en").

Phrases are composed from these parts at random (see ``sites.py``), so templates vary from
site to site; none of the strings is taken from the seed pages. Site names and list items
are drawn from dataset titles by the stream builder, not from here.
"""

from __future__ import annotations

SECTIONS: dict[str, tuple[str, ...]] = {
    "ar": (
        "محليات",
        "سياسة",
        "اقتصاد",
        "رياضة",
        "دوليات",
        "ثقافة وفنون",
        "تقنية",
        "صحة",
        "منوعات",
        "مقالات الرأي",
        "تحقيقات",
        "أسواق المال",
        "عقارات",
        "سيارات",
        "تعليم",
        "مجتمع",
        "حوادث وقضايا",
        "الطقس",
        "فيديو",
        "ملفات خاصة",
        "الخليج",
        "العالم العربي",
        "المرأة",
        "شباب",
        "سياحة وسفر",
        "طاقة",
        "ملاعب",
        "إسلاميات",
        "كاريكاتير",
        "حوارات",
        "مال وأعمال",
        "علوم",
        "بيئة",
        "إنفوجرافيك",
        "صور",
        "برلمان",
        "اتصالات",
    ),
    "en": (
        "Politics",
        "Business",
        "Sports",
        "World",
        "Local",
        "Culture",
        "Tech",
        "Health",
        "Lifestyle",
        "Opinion",
        "Investigations",
        "Markets",
        "Real Estate",
        "Autos",
        "Education",
        "Society",
        "Crime",
        "Weather",
        "Video",
        "Special Reports",
        "Science",
        "Environment",
        "Entertainment",
        "Travel",
        "Energy",
        "Money",
        "Books",
        "Food",
        "Photos",
        "Obituaries",
        "Elections",
        "Media",
        "Style",
        "Podcasts",
        "Economy",
        "Courts",
        "Climate",
    ),
}

NAV_EXTRA: dict[str, tuple[str, ...]] = {
    "ar": ("الرئيسية", "اتصل بنا", "من نحن", "الأرشيف", "النسخة الورقية", "أعلن معنا", "خريطة الموقع", "البث المباشر"),
    "en": ("Home", "Contact", "About us", "Archive", "Print edition", "Advertise", "Sitemap", "Live", "Subscribe"),
}

HOME: dict[str, tuple[str, ...]] = {
    "ar": ("الرئيسية", "الصفحة الرئيسية", "الرئيسة"),
    "en": ("Home", "Front page", "Main"),
}

SITE_PREFIX: dict[str, tuple[str, ...]] = {
    "ar": ("صحيفة", "جريدة", "بوابة", "موقع", "شبكة", "مجلة", "يومية", "منصة", "وكالة"),
    "en": ("The",),
}
SITE_SUFFIX: dict[str, tuple[str, ...]] = {
    "ar": ("", "", "الإلكترونية", "الإخبارية", "اليوم", "نت", "الجديد"),
    "en": (
        "Tribune",
        "Herald",
        "Post",
        "Times",
        "Gazette",
        "Daily",
        "Observer",
        "Chronicle",
        "Journal",
        "Ledger",
        "Dispatch",
        "Courier",
        "Review",
        "Sentinel",
        "Standard",
        "Monitor",
        "Wire",
        "Record",
    ),
}

RELATED_FIRST: dict[str, tuple[str, ...]] = {
    "ar": ("أخبار", "مواضيع", "مقالات", "قصص", "تقارير", "روابط", "عناوين"),
    "en": ("Related", "More", "Recommended", "Similar", "Further", "Other", "Suggested"),
}
RELATED_SECOND: dict[str, tuple[str, ...]] = {
    "ar": ("ذات صلة", "متعلقة", "مشابهة", "قد تهمك", "مقترحة", "أخرى", "مرتبطة"),
    "en": ("stories", "news", "articles", "reading", "coverage", "headlines", "for you"),
}
READ_MORE_HEADS: dict[str, tuple[str, ...]] = {
    "ar": ("اقرأ أيضًا", "شاهد أيضًا", "إقرأ المزيد", "لا يفوتك", "ننصحك بقراءة"),
    "en": ("Read next", "Don't miss", "You may also like", "Keep reading", "Up next"),
}
MOST_FIRST: dict[str, tuple[str, ...]] = {"ar": ("الأكثر", "الأعلى"), "en": ("Most", "Top")}
MOST_SECOND: dict[str, tuple[str, ...]] = {
    "ar": ("قراءة", "مشاهدة", "تداولًا", "تعليقًا", "مشاركة", "متابعة"),
    "en": ("read", "viewed", "shared", "popular", "commented", "emailed"),
}
MOST_SCOPE: dict[str, tuple[str, ...]] = {
    "ar": ("", "", "اليوم", "هذا الأسبوع", "خلال 24 ساعة"),
    "en": ("", "", "today", "this week", "in 24 hours"),
}
LATEST_HEADS: dict[str, tuple[str, ...]] = {
    "ar": ("آخر الأخبار", "أحدث المقالات", "جديد الموقع", "الأخبار العاجلة", "تابع أيضًا", "الأحدث"),
    "en": ("Latest news", "Just in", "Newest stories", "Latest headlines", "Fresh off the wire", "Latest"),
}
TICKER_LABELS: dict[str, tuple[str, ...]] = {
    "ar": ("عاجل", "الآن", "خبر عاجل", "آخر الأخبار", "متابعات", "لحظة بلحظة"),
    "en": ("Breaking", "Now", "Breaking news", "Developing", "Live updates", "Top story"),
}

SHARE_LEADS: dict[str, tuple[str, ...]] = {
    "ar": ("شارك", "شارك الخبر", "انشر على", "مشاركة عبر", "شارك المقال", "أرسل لصديق"),
    "en": ("Share", "Share this", "Share on", "Spread the word", "Share this story", "Send to a friend"),
}
SHARE_TARGETS: dict[str, tuple[str, ...]] = {
    "ar": ("فيسبوك", "تويتر", "واتساب", "تيليجرام", "لينكد إن", "البريد الإلكتروني", "طباعة", "نسخ الرابط", "سناب شات"),
    "en": (
        "Facebook",
        "Twitter",
        "WhatsApp",
        "Telegram",
        "LinkedIn",
        "Email",
        "Print",
        "Copy link",
        "Reddit",
        "Pinterest",
    ),
}
FOLLOW: dict[str, tuple[str, ...]] = {
    "ar": ("تابعونا على", "تابعنا عبر", "حمّل تطبيقنا", "اشترك في النشرة البريدية", "تابعوا آخر الأخبار عبر"),
    "en": ("Follow us on", "Get our app", "Sign up for our newsletter", "Join us on", "Stay connected"),
}

COMMENT_HEADS: dict[str, tuple[str, ...]] = {
    "ar": ("أضف تعليقك", "اترك تعليقًا", "شاركنا رأيك", "علّق على الخبر", "آراء القراء", "التعليق على المقال"),
    "en": (
        "Leave a comment",
        "Add your comment",
        "Join the discussion",
        "Reader comments",
        "Have your say",
        "Post a reply",
    ),
}
COMMENT_NAME: dict[str, tuple[str, ...]] = {
    "ar": ("الاسم", "اسمك", "الاسم الكامل", "الاسم المستعار"),
    "en": ("Name", "Your name", "Full name", "Display name"),
}
COMMENT_EMAIL: dict[str, tuple[str, ...]] = {
    "ar": ("البريد الإلكتروني", "بريدك الإلكتروني", "الإيميل", "عنوان البريد"),
    "en": ("Email", "Your email", "E-mail address", "Email (not published)"),
}
COMMENT_BODY: dict[str, tuple[str, ...]] = {
    "ar": ("نص التعليق", "تعليقك", "اكتب تعليقك هنا", "رأيك"),
    "en": ("Comment", "Your comment", "Write your comment here", "Message"),
}
COMMENT_TERMS: dict[str, tuple[str, ...]] = {
    "ar": (
        "أوافق على شروط النشر",
        "أقر بقبول سياسة التعليقات",
        "الموافقة على الشروط والأحكام",
        "قرأت قواعد المشاركة وأوافق عليها",
    ),
    "en": (
        "I agree to the terms of use",
        "I accept the comment policy",
        "I have read the community rules",
        "By posting you agree to our terms",
    ),
}
COMMENT_CODE: dict[str, tuple[str, ...]] = {
    "ar": ("رمز التحقق", "كود الأمان", "أدخل الرمز الظاهر", "رمز الحماية"),
    "en": ("Security code", "Enter the code shown", "Captcha", "Verification code"),
}
COMMENT_SUBMIT: dict[str, tuple[str, ...]] = {
    "ar": ("إرسال", "أرسل", "نشر التعليق", "إضافة"),
    "en": ("Submit", "Post comment", "Send", "Publish"),
}
COMMENT_NOTES: dict[str, tuple[str, ...]] = {
    "ar": (
        "الحقول المطلوبة مشار إليها بعلامة",
        "لن يتم نشر بريدك الإلكتروني",
        "التعليقات تعبر عن آراء أصحابها",
        "يرجى الالتزام بآداب الحوار",
    ),
    "en": (
        "Required fields are marked",
        "Your email address will not be published",
        "Comments are moderated",
        "Please keep the discussion civil",
    ),
}
REQUIRED_MARKS: tuple[str, ...] = (" *", "*", ":", " (*)", "")

COPYRIGHT: dict[str, tuple[str, ...]] = {
    "ar": (
        "© {year} {site}. جميع الحقوق محفوظة",
        "جميع الحقوق محفوظة © {site} {year}",
        "حقوق النشر © {year} {site}",
        "{site} - كل الحقوق محفوظة {year}",
        "جميع حقوق النشر محفوظة لـ{site} ©{year}",
    ),
    "en": (
        "© {year} {site}. All rights reserved.",
        "Copyright {year} {site}",
        "All content © {site} {year}",
        "{site} © {year}. All Rights Reserved.",
        "(c) {year} {site} Media Group",
    ),
}
FOOTER_LINKS: dict[str, tuple[str, ...]] = {
    "ar": (
        "سياسة الخصوصية",
        "شروط الاستخدام",
        "اتصل بنا",
        "أعلن معنا",
        "من نحن",
        "الأرشيف",
        "وظائف",
        "الأسئلة الشائعة",
    ),
    "en": (
        "Privacy policy",
        "Terms of use",
        "Contact us",
        "Advertise",
        "About",
        "Archive",
        "Careers",
        "FAQ",
        "Cookie settings",
    ),
}
STREETS: dict[str, tuple[str, ...]] = {
    "ar": (
        "شارع الملك فهد",
        "طريق الملك عبدالعزيز",
        "شارع التحلية",
        "طريق الأمير محمد",
        "شارع العليا",
        "شارع الستين",
        "طريق المدينة",
        "شارع الأمير سلطان",
    ),
    "en": (
        "Main Street",
        "Fleet Road",
        "Market Street",
        "Park Avenue",
        "King Street",
        "Harbour Road",
        "Elm Street",
        "Station Road",
    ),
}
DISTRICTS: dict[str, tuple[str, ...]] = {
    "ar": ("حي الورود", "حي النخيل", "حي السليمانية", "حي الروضة", "حي الملز", "حي الشاطئ", "حي العزيزية"),
    "en": ("Suite 200", "Floor 4", "Building B", "Unit 12", "Newsroom Tower", "Press House"),
}
CITIES: dict[str, tuple[str, ...]] = {
    "ar": (
        "الرياض",
        "جدة",
        "الدمام",
        "مكة المكرمة",
        "المدينة المنورة",
        "أبها",
        "تبوك",
        "القاهرة",
        "دبي",
        "الكويت",
        "عمّان",
        "بيروت",
        "لندن",
        "واشنطن",
        "باريس",
        "المنامة",
        "الدوحة",
    ),
    "en": (
        "WASHINGTON",
        "LONDON",
        "NEW YORK",
        "PARIS",
        "BERLIN",
        "TOKYO",
        "SYDNEY",
        "CHICAGO",
        "LOS ANGELES",
        "BRUSSELS",
        "MOSCOW",
        "BEIJING",
        "TORONTO",
        "NAIROBI",
    ),
}
AGENCIES: dict[str, tuple[str, ...]] = {
    "ar": ("واس", "أ ف ب", "رويترز", "د ب أ", "كونا", "وام", "الأناضول", "قنا", "بنا"),
    "en": ("AP", "Reuters", "AFP", "Bloomberg", "UPI", "dpa", "PA"),
}
DATELINE_FORMS: dict[str, tuple[str, ...]] = {
    "ar": ("{city} ({agency}) -", "{city} - {agency}:", "{city}- ({agency})", "{city}: {agency} -"),
    "en": ("{city} ({agency}) -", "{city} ({agency}) —", "{city}, ({agency}) --", "{city} -"),
}
READ_ALSO: dict[str, tuple[str, ...]] = {
    "ar": ("اقرأ أيضا: {title}", "اقرأ أيضًا: {title}", "طالع أيضا: {title}", "ذات صلة: {title}", "شاهد: {title}"),
    "en": ("Read also: {title}", "READ MORE: {title}", "Related: {title}", "See also: {title}", "Also read: {title}"),
}
BYLINES: dict[str, tuple[str, ...]] = {
    "ar": ("كتب: {name}", "{city} - {name}", "بقلم: {name}", "{city}: {name}", "{name} - {city}"),
    "en": ("By {name}", "By {name}, staff writer", "{name} | {city}", "Written by {name}", "By {name} in {city}"),
}
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "ar": ("محمد", "عبدالله", "سارة", "فهد", "نورة", "خالد", "ريم", "سلطان", "هند", "ماجد", "منى", "ياسر"),
    "en": ("Anna", "James", "Priya", "Tom", "Maria", "David", "Chen", "Laura", "Omar", "Sophie", "Mark", "Elena"),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "ar": ("الغامدي", "العتيبي", "الشهري", "القحطاني", "الزهراني", "الحربي", "المطيري", "الدوسري", "السبيعي", "العنزي"),
    "en": ("Miller", "Okafor", "Schmidt", "Nguyen", "Rossi", "Patel", "Walsh", "Kowalski", "Haddad", "Brennan"),
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS: dict[str, tuple[str, ...]] = {
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
DATE_FORMS: dict[str, tuple[str, ...]] = {
    "ar": (
        "{weekday} {day} {month} {year}",
        "آخر تحديث: {hh}:{mm} - {day}/{mon}/{year}",
        "نشر في {day} {month} {year} - {hh}:{mm}",
        "{year}/{mon}/{day} {hh}:{mm}",
        "تاريخ النشر: {weekday}، {day} {month} {year}",
    ),
    "en": (
        "{weekday}, {month} {day}, {year}",
        "Published {month} {day}, {year} at {hh}:{mm}",
        "Updated: {year}-{mon}-{day} {hh}:{mm} GMT",
        "{day} {month} {year} {hh}:{mm}",
        "Last modified {weekday} {day} {month} {year}",
    ),
}
AUTHOR_BOX: dict[str, tuple[str, ...]] = {
    "ar": ("المحرر", "فريق التحرير", "قسم الأخبار", "المراسل"),
    "en": ("Staff", "Newsroom", "Editorial team", "Correspondent"),
}
