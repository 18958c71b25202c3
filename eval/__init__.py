"""Evaluation harness for storywire: labelled streams, replays and scores over HTTP.

The harness never imports the service: it starts ``app.main:app`` as a subprocess (or
uses ``--url``) and talks to it only through the v1 HTTP contract, so the figures it
prints are the figures a crawler would see.
"""
