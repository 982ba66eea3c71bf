"""Great-circle distance and the bounding box used to pre-filter on an index."""

import math

EARTH_RADIUS_KM = 6371.0088
# Mainland China plus its islands, generously: coordinates outside are a typo.
CHINA_BOUNDS = (3.0, 54.0, 73.0, 136.0)  # min lat, max lat, min lng, max lng


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lng, max lng) containing every point within `radius_km`."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * coslat)))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def in_china(lat: float, lng: float) -> bool:
    lo_lat, hi_lat, lo_lng, hi_lng = CHINA_BOUNDS
    return lo_lat <= lat <= hi_lat and lo_lng <= lng <= hi_lng
