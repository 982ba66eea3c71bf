/* Service map: Guangdong's county outlines from our static files (works offline), an online tile
   layer only when settings configure one, every station from one compact cached endpoint
   (GET /api/stations/map: [id, lat, lng, name, city index]) in clusters; the map shows the stations
   of the list's page (data-focus) when a filter is set. The list stays the accessible source of
   truth and works when Leaflet cannot load. */
(function () {
  "use strict";
  // The city filter submits itself (and forgets the district of the previous city).
  Array.prototype.forEach.call(document.querySelectorAll("select[data-submit-on-change]"), function (select) {
    select.addEventListener("change", function () {
      var clears = select.form.elements[select.getAttribute("data-clears")];
      if (clears) clears.value = "";
      if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
    });
  });
  // Empty filters are left out of the address (the page redirects to its canonical form otherwise);
  // an empty city stays: "all cities" chosen, rather than a logged-in youth's own place.
  Array.prototype.forEach.call(document.querySelectorAll("form.st-filters"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name && input.name !== "city" && !input.value) input.disabled = true;
      });
    });
    window.addEventListener("pageshow", function () {  // back from the results: usable again
      Array.prototype.forEach.call(form.elements, function (input) { input.disabled = false; });
    });
  });
  var el = document.getElementById("station-map");
  if (!el) return;
  var config = JSON.parse(el.getAttribute("data-config"));
  var focus = (el.getAttribute("data-focus") || "").split(",").filter(Boolean).map(Number);

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
          input.value = value.toFixed(3);  // the page's canonical form (~100 m)
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
  // Clusters (leaflet.markercluster, served from our static files) when it loaded; plain markers otherwise.
  var layer = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, chunkedLoading: true }) : map;
  if (!window.fetch) return;
  fetch(config.stationsApi, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    var wanted = {}, bounds = [], all = [], markers = [];
    focus.forEach(function (id) { wanted[id] = true; });
    data.stations.forEach(function (s) {
      // s = [id, lat, lng, short name, city index]: the popup is built when opened.
      var marker = L.marker([s[1], s[2]], { icon: icon, title: s[3], alt: s[3] });
      marker.bindPopup(function () {
        var box = document.createElement("div");
        var a = document.createElement("a"); a.href = data.url.replace("{id}", s[0]); a.textContent = s[3];
        box.appendChild(a);
        var city = data.cities[s[4]];
        if (city) { var p = document.createElement("p"); p.textContent = city[1]; box.appendChild(p); }
        return box;
      });
      all.push([s[1], s[2]]);
      if (wanted[s[0]]) {  // a station of the list's page: its own pin, above the clusters
        bounds.push([s[1], s[2]]);
        marker.setZIndexOffset(1000).addTo(map);
      } else markers.push(marker);
    });
    if (layer !== map) { layer.addLayers(markers); layer.addTo(map); }
    else markers.forEach(function (m) { m.addTo(map); });
    if (!focus.length) bounds = all;
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    else if (bounds.length === 1) map.setView(bounds[0], 14);
    el.setAttribute("data-markers", String(all.length));
  }).catch(function () { el.setAttribute("data-markers", "error"); });
})();
