"""Service requests: the service catalogue, residents' reports, the officers' queue, service levels,
notifications, and Open311 GeoReport v2 (with FixMyStreet's service request updates)."""
