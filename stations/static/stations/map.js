/* Service map: markers from the page's JSON, tiles from the configured URL; the list stays the
   accessible source of truth and works when Leaflet or the tiles cannot load. */
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
      if (!navigator.geolocation) { status.textContent = "浏览器不支持定位 / Location is not available"; return; }
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
      }, function () { status.textContent = "无法获取位置 / Could not get your location"; }, { timeout: 8000 });
    });
  }

  if (typeof L === "undefined") { el.classList.add("st-map-off"); return; }
  el.innerHTML = "";
  var map = L.map(el, { scrollWheelZoom: false }).setView(config.center, config.zoom);
  var tiles = L.tileLayer(config.tiles, { maxZoom: 18, attribution: config.attribution });
  tiles.on("tileerror", function () { el.classList.add("st-tiles-failed"); });
  tiles.addTo(map);
  var icon = L.icon({
    iconUrl: el.getAttribute("data-icon") || (document.querySelector("script[src*='leaflet.js']").src.replace(/leaflet\.js.*$/, "images/marker-icon.png")),
    shadowUrl: document.querySelector("script[src*='leaflet.js']").src.replace(/leaflet\.js.*$/, "images/marker-shadow.png"),
    iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], shadowSize: [41, 41]
  });
  var bounds = [];
  markers.forEach(function (m) {
    var a = document.createElement("a"); a.href = m.u; a.textContent = m.t;
    var box = document.createElement("div"); box.appendChild(a);
    var p = document.createElement("p"); p.textContent = m.a; box.appendChild(p);
    L.marker([m.lat, m.lng], { icon: icon, title: m.t, alt: m.t }).addTo(map).bindPopup(box);
    bounds.push([m.lat, m.lng]);
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
  else if (bounds.length === 1) map.setView(bounds[0], 14);
  el.setAttribute("data-markers", String(markers.length));
})();
