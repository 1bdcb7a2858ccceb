"""The demo center's seeders (``manage.py seed_demo``): the top layer, reading and writing every app."""
