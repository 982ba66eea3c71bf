/* Service map: Guangdong's county outlines from our static files (works offline), an online tile
   layer only when settings configure one, markers from the page's JSON in clusters; the list stays
   the accessible source of truth and works when Leaflet cannot load. */
(function () {
  "use strict";
  // The city filter submits itself (and forgets the district of the previous city).
  Array.prototype.forEach.call(document.querySelectorAll("select[data-submit-on-change]"), function (select) {
    select.addEventListener("change", function () {
      var clears = select.form.elements[select.getAttribute("data-clears")];
      if (clears) clears.value = "";
      select.form.submit();
    });
  });
  var el = document.getElementById("station-map");
  var data = document.getElementById("station-markers");
  if (!el || !data) return;
  var config = JSON.parse(el.getAttribute("data-config"));
  var markers = JSON.parse(data.textContent);

  var nearBtn = document.getElementById("near-me");
  var status = document.getElementById("near-status");
  if (nearBtn) {
    nearBtn.addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = "浏览器不支持定位"; return; }
      status.textContent = nearBtn.getAttribute("data-label-busy");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var form = nearBtn.form;
        var set = function (name, value) {
          var input = form.querySelector("input[name=" + name + "]");
          if (!input) { input = document.createElement("input"); input.type = "hidden"; input.name = name; form.appendChild(input); }
          input.value = value.toFixed(6);
        };
        set("lat", pos.coords.latitude); set("lng", pos.coords.longitude);
        form.submit();
      }, function () { status.textContent = "无法获取位置"; }, { timeout: 8000 });
    });
  }

  if (typeof L === "undefined") { el.classList.add("st-map-off"); return; }
  el.innerHTML = "";
  // No flag or "Leaflet" link in the corner: attribution prefix off, only the layers' own credits.
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: false, minZoom: 5, maxZoom: 18 })
    .setView(config.center, config.zoom);
  L.control.attribution({ prefix: false }).addTo(map);
  if (config.tiles) {
    var tiles = L.tileLayer(config.tiles, { maxZoom: 18, attribution: config.attribution });
    tiles.on("tileerror", function () { el.classList.add("st-tiles-failed"); });
    tiles.addTo(map);
  }
  if (config.baseLayer && window.fetch) {
    fetch(config.baseLayer).then(function (r) { return r.json(); }).then(function (geo) {
      var outlines = L.geoJSON(geo, {
        interactive: false, attribution: config.baseAttribution,
        style: { color: "#9e9e9e", weight: 1, fillColor: "#f5f5f0", fillOpacity: config.tiles ? 0 : 1 }
      }).addTo(map);
      outlines.bringToBack();
      el.setAttribute("data-base-layer", String(geo.features.length));
    });
  }
  var icon = L.icon({
    iconUrl: el.getAttribute("data-icon") || (document.querySelector("script[src*='leaflet.js']").src.replace(/leaflet\.js.*$/, "images/marker-icon.png")),
    shadowUrl: document.querySelector("script[src*='leaflet.js']").src.replace(/leaflet\.js.*$/, "images/marker-shadow.png"),
    iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], shadowSize: [41, 41]
  });
  var bounds = [];
  // Clusters (leaflet.markercluster, served from our static files) when it loaded; plain markers otherwise.
  var layer = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 }) : map;
  markers.forEach(function (m) {
    var a = document.createElement("a"); a.href = m.u; a.textContent = m.t;
    var box = document.createElement("div"); box.appendChild(a);
    var p = document.createElement("p"); p.textContent = m.a; box.appendChild(p);
    L.marker([m.lat, m.lng], { icon: icon, title: m.t, alt: m.t }).addTo(layer).bindPopup(box);
    bounds.push([m.lat, m.lng]);
  });
  if (layer !== map) layer.addTo(map);
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
  else if (bounds.length === 1) map.setView(bounds[0], 14);
  el.setAttribute("data-markers", String(markers.length));
})();
