/* participation: map behaviours, called by the small inline scripts that folium renders.
 * Every map is an enhancement: each page keeps a form or a table that works without it. */
(function () {
  "use strict";

  function byId(id) { return id ? document.getElementById(id) : null; }

  /* Name the map region and put Leaflet's own controls in the page's language. */
  function prepare(map, options) {
    var container = map.getContainer();
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", options.label);
    var texts = options.texts || {};
    if (map.zoomControl && texts.zoomIn) {
      map.removeControl(map.zoomControl);
      map.zoomControl = L.control.zoom({ zoomInTitle: texts.zoomIn, zoomOutTitle: texts.zoomOut });
      map.addControl(map.zoomControl);
    }
    if (window.L && L.drawLocal && texts.drawPolygon) {
      var d = L.drawLocal;
      d.draw.toolbar.buttons.polygon = texts.drawPolygon;
      d.draw.toolbar.buttons.rectangle = texts.drawRectangle;
      d.draw.toolbar.actions.title = texts.cancel;
      d.draw.toolbar.actions.text = texts.cancel;
      d.draw.toolbar.finish.title = texts.finish;
      d.draw.toolbar.finish.text = texts.finish;
      d.draw.toolbar.undo.title = texts.deleteLastPoint;
      d.draw.toolbar.undo.text = texts.deleteLastPoint;
      d.draw.handlers.polygon.tooltip.start = texts.polygonStart;
      d.draw.handlers.polygon.tooltip.cont = texts.polygonContinue;
      d.draw.handlers.polygon.tooltip.end = texts.polygonEnd;
      d.edit.toolbar.buttons.edit = texts.editLayers;
      d.edit.toolbar.buttons.remove = texts.removeLayers;
      d.edit.toolbar.actions.save.title = texts.save;
      d.edit.toolbar.actions.save.text = texts.save;
      d.edit.toolbar.actions.cancel.title = texts.cancel;
      d.edit.toolbar.actions.cancel.text = texts.cancel;
      d.edit.toolbar.actions.clearAll.title = texts.clearAll;
      d.edit.toolbar.actions.clearAll.text = texts.clearAll;
    }
  }

  /* Location picker: a click (or Enter on the focused map) places one draggable marker and
   * writes its latitude and longitude into the form's inputs. */
  function picker(map, options) {
    prepare(map, options);
    var lat = byId(options.latInput), lon = byId(options.lonInput);
    var status = byId(options.statusId);
    var marker = null;

    function write(latlng) {
      if (lat) { lat.value = latlng.lat.toFixed(6); }
      if (lon) { lon.value = latlng.lng.toFixed(6); }
      if (lat) { lat.dispatchEvent(new Event("change", { bubbles: true })); }
      if (status) {
        status.textContent = options.placedText
          .replace("{lat}", latlng.lat.toFixed(5)).replace("{lon}", latlng.lng.toFixed(5));
      }
    }
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); }
      else {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: options.markerTitle,
                                    alt: options.markerTitle }).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      }
      write(latlng);
    }
    if (lat && lon && lat.value && lon.value && !isNaN(parseFloat(lat.value))) {
      var start = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
      place(start);
      map.setView(start, Math.max(map.getZoom(), 15));
    }
    map.on("click", function (event) { place(event.latlng); });
    map.getContainer().addEventListener("keydown", function (event) {
      if ((event.key === "Enter" || event.key === " ") && event.target === map.getContainer()) {
        event.preventDefault();
        place(map.getCenter());
      }
    });
    [lat, lon].forEach(function (input) {
      if (!input) { return; }
      input.addEventListener("input", function () {
        var a = parseFloat(lat.value), b = parseFloat(lon.value);
        if (!isNaN(a) && !isNaN(b)) {
          var p = L.latLng(a, b);
          if (marker) { marker.setLatLng(p); } else { place(p); }
          map.panTo(p);
        }
      });
    });
  }

  /* Browse map: ask the GeoJSON endpoint for what the view shows (cluster=1, zoom, bbox)
   * and ask again when the view moves. Many points come back as groups per grid cell:
   * bubbles with their count, buttons that zoom in on them (click, Enter or Space).
   * Few points come back as themselves, clustered here by markercluster; each opens a
   * link to its page. The list beside the map is the text alternative. */
  var MOVE_DELAY = 250;

  function groupIcon(count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({ html: "<div><span>" + count + "</span></div>",
                       className: "marker-cluster marker-cluster-" + size,
                       iconSize: L.point(40, 40) });
  }

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function browse(map, options) {
    prepare(map, options);
    if (options.bounds) { map.fitBounds(options.bounds, { animate: false }); }
    var container = map.getContainer();
    var status = byId(options.statusId);
    var browserGroups = L.markerClusterGroup();  // few points: grouped here
    var serverGroups = L.layerGroup();           // many points: the server's groups
    var lone = L.layerGroup();                   // ...and the points alone in their cell
    map.addLayer(browserGroups);
    map.addLayer(serverGroups);
    map.addLayer(lone);
    var shown = {};          // "b<id>" or "s<id>" -> marker, so an open popup survives a reload
    var pending = null;      // the AbortController of the request in flight
    var timer = null;
    var complete = null;     // bounds whose every point is on the map (points came back)
    var refocus = false;

    function marker(feature, latlng) {
      var title = (feature.properties && feature.properties.title) || "";
      var m = L.marker(latlng, { title: title, alt: title });
      var url = (feature.properties && feature.properties.url) ||
        (options.urlPrefix ? options.urlPrefix + feature.id : null);
      if (url) {
        // The popup's link is made when it opens, not for every marker up front.
        m.bindPopup(function () {
          var link = document.createElement("a");
          link.href = url;
          link.textContent = title;
          return link;
        });
      }
      return m;
    }

    function group(feature, latlng, count) {
      var label = options.groupText.replace("{count}", count);
      var m = L.marker(latlng, { icon: groupIcon(count), keyboard: true, title: label,
                                 riseOnHover: true });
      var b = feature.bbox;
      function zoomIn(byKeyboard) {
        var zoom = map.getZoom() + 2, center = latlng;
        if (b && (b[0] !== b[2] || b[1] !== b[3])) {
          var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
          zoom = map.getBoundsZoom(bounds, false, L.point(48, 48));
          center = bounds.getCenter();
        }
        refocus = byKeyboard;
        map.setView(center, clamp(Math.max(zoom, map.getZoom() + 1), 0, map.getMaxZoom()));
      }
      m.on("click", function () { zoomIn(false); });
      m.on("add", function () {
        var element = m.getElement();
        element.setAttribute("aria-label", label);
        L.DomEvent.on(element, "keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            L.DomEvent.stop(event);
            zoomIn(true);
          }
        });
      });
      return m;
    }

    function show(data, fit) {
      var features = data.features || [];
      var clustered = features.some(function (f) { return f.properties && f.properties.count; });
      var keep = {}, added = [], total = 0, bounds = L.latLngBounds([]);
      serverGroups.clearLayers();
      features.forEach(function (feature) {
        var c = feature.geometry && feature.geometry.coordinates;
        if (!c) { return; }
        var latlng = L.latLng(c[1], c[0]);
        var count = feature.properties && feature.properties.count;
        if (count) {
          total += count;
          serverGroups.addLayer(group(feature, latlng, count));
          if (feature.bbox) { bounds.extend([[feature.bbox[1], feature.bbox[0]],
                                             [feature.bbox[3], feature.bbox[2]]]); }
          return;
        }
        total += 1;
        bounds.extend(latlng);
        var key = (clustered ? "s" : "b") + feature.id;
        keep[key] = true;
        if (!shown[key]) {
          shown[key] = marker(feature, latlng);
          added.push(shown[key]);
        }
      });
      var gone = [];
      Object.keys(shown).forEach(function (key) {
        if (!keep[key]) { gone.push(shown[key]); delete shown[key]; }
      });
      gone.forEach(function (m) { browserGroups.removeLayer(m); lone.removeLayer(m); });
      if (clustered) { added.forEach(function (m) { lone.addLayer(m); }); }
      else { browserGroups.addLayers(added); }
      container.setAttribute("data-loaded", String(total));
      container.setAttribute("data-clustered", String(clustered));
      container.removeAttribute("aria-busy");
      if (status) { status.textContent = options.loadedText.replace("{count}", total); }
      if (fit && bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 16 }); }
      if (refocus) { refocus = false; container.focus(); }
      return clustered;
    }

    function load(fit) {
      if (pending) { pending.abort(); }
      var controller = new AbortController();
      pending = controller;
      var query = "cluster=1&zoom=" + map.getZoom();
      var asked = null;
      if (!fit) {
        // A little more than the view, so that a short pan shows its points at once.
        asked = map.getBounds().pad(0.1);
        query += "&bbox=" + [clamp(asked.getWest(), -180, 180), clamp(asked.getSouth(), -90, 90),
                            clamp(asked.getEast(), -180, 180), clamp(asked.getNorth(), -90, 90)]
          .map(function (v) { return v.toFixed(6); }).join(",");
      }
      container.setAttribute("aria-busy", "true");
      var url = options.url + (options.url.indexOf("?") < 0 ? "?" : "&") + query;
      fetch(url, { headers: { "Accept": "application/geo+json" }, credentials: "same-origin",
                   signal: controller.signal })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) {
          if (pending !== controller) { return; }
          pending = null;
          var clustered = show(data, fit);
          complete = clustered || !asked ? null : asked;
        })
        .catch(function (error) {
          if (pending !== controller) { return; }  // aborted: a newer request is on its way
          pending = null;
          container.removeAttribute("aria-busy");
          if (status) { status.textContent = options.failedText; }
        });
    }

    map.on("movestart", function () {
      // What is in flight is for a view that is going away.
      if (pending) { pending.abort(); pending = null; }
      clearTimeout(timer);
    });
    map.on("moveend", function () {
      clearTimeout(timer);
      // Every point of a view inside the last one is already here (a popup's pan, a zoom in).
      if (complete && complete.contains(map.getBounds())) { return; }
      timer = setTimeout(function () { load(false); }, MOVE_DELAY);
    });
    load(Boolean(options.fit));
  }

  /* Drawing tool: draw, edit or delete polygons; the result is written as GeoJSON into a
   * textarea that the form submits (and that works on its own without JavaScript). */
  function draw(map, options) {
    prepare(map, options);
    var input = byId(options.input);
    var drawn = new L.FeatureGroup();
    map.addLayer(drawn);
    if (input && input.value) {
      try {
        L.geoJSON(JSON.parse(input.value)).eachLayer(function (layer) {
          if (layer.getLatLngs) { drawn.addLayer(L.polygon(layer.getLatLngs())); }
        });
        if (drawn.getLayers().length) { map.fitBounds(drawn.getBounds()); }
      } catch (e) { /* the server explains an invalid value */ }
    }
    map.addControl(new L.Control.Draw({
      draw: { polygon: { allowIntersection: false, showArea: false }, rectangle: {},
              polyline: false, circle: false, marker: false, circlemarker: false },
      edit: { featureGroup: drawn }
    }));
    function write() {
      var polygons = [];
      drawn.eachLayer(function (layer) {
        var g = layer.toGeoJSON().geometry;
        if (g.type === "Polygon") { polygons.push(g.coordinates); }
        if (g.type === "MultiPolygon") { polygons = polygons.concat(g.coordinates); }
      });
      if (input) {
        input.value = polygons.length
          ? JSON.stringify({ type: "MultiPolygon", coordinates: polygons }) : "";
      }
    }
    map.on(L.Draw.Event.CREATED, function (event) { drawn.addLayer(event.layer); write(); });
    map.on(L.Draw.Event.EDITED, write);
    map.on(L.Draw.Event.DELETED, write);
  }

  function plain(map, options) { prepare(map, options); }

  /* Places that link to their pages: a marker each, named by its title, whose popup is
   * the link (made with the DOM: folium's popups need jQuery, which we do not load). */
  function places(map, options) {
    prepare(map, options);
    (options.places || []).forEach(function (place) {
      var m = L.marker([place.lat, place.lon], { title: place.title, alt: place.title });
      m.bindPopup(function () {
        var link = document.createElement("a");
        link.href = place.url;
        link.textContent = place.title;
        if (options.newTab) {
          link.target = "_blank";
          link.rel = "noopener";
        }
        return link;
      });
      m.addTo(map);
    });
  }

  window.Participation = { picker: picker, browse: browse, draw: draw, plain: plain,
                           places: places };
})();
