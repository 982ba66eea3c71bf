/* KPI dashboard map: station service per place as circles sized by bookings. Data come from the
   page (json_script); the drill-down table carries the same figures when Leaflet or tiles fail. */
(function () {
  "use strict";
  var el = document.getElementById("yv-ins-map");
  var data = document.getElementById("yv-ins-map-data");
  if (!el || !data) return;
  var places = JSON.parse(data.textContent);
  if (typeof L === "undefined" || !places.length) { el.classList.add("is-off"); return; }
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: false, minZoom: 5, maxZoom: 18 });
  L.control.attribution({ prefix: false }).addTo(map);
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {  // optional online layer (settings.YV_MAP_TILE_URL)
    L.tileLayer(tiles, { maxZoom: 18, attribution: el.getAttribute("data-tiles-attribution") || "" }).addTo(map);
  }
  var base = el.getAttribute("data-base-layer");  // the shipped Guangdong outlines: works offline
  if (base && window.fetch) {
    fetch(base).then(function (r) { return r.json(); }).then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: { color: "#9e9e9e", weight: 1, fillColor: "#f5f5f0", fillOpacity: 1 } })
        .addTo(map).bringToBack();
    });
  }
  var most = Math.max.apply(null, places.map(function (p) { return p.bookings; }).concat([1]));
  var bounds = [];
  places.forEach(function (p) {
    var radius = 6 + 24 * Math.sqrt(p.bookings / most);
    var sat = p.satisfaction === null ? "—" : p.satisfaction.toFixed(2);
    L.circleMarker([p.lat, p.lng], {
      radius: radius, color: "#b71c1c", weight: 1, fillColor: "#e53935", fillOpacity: 0.55
    }).bindTooltip(p.name + "：预约 " + p.bookings + "，已服务 " + p.completed + "，满意度 " + sat)
      .on("click", function () {
        var params = new URLSearchParams(window.location.search);
        params.set("org", p.id);
        window.location.search = params.toString();
      }).addTo(map);
    bounds.push([p.lat, p.lng]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 10 });
}());
