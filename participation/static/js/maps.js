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

  /* Browse map: fetch a GeoJSON endpoint, cluster its points, link each to its page. */
  function browse(map, options) {
    prepare(map, options);
    var clusters = L.markerClusterGroup({ chunkedLoading: true, chunkInterval: 100 });
    map.addLayer(clusters);
    var status = byId(options.statusId);
    fetch(options.url, { headers: { "Accept": "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        var markers = [];
        (data.features || []).forEach(function (feature) {
          var c = feature.geometry && feature.geometry.coordinates;
          if (!c) { return; }
          var title = (feature.properties && feature.properties.title) || "";
          var marker = L.marker([c[1], c[0]], { title: title, alt: title });
          var url = (feature.properties && feature.properties.url) ||
            (options.urlPrefix ? options.urlPrefix + feature.id : null);
          if (url) {
            // The popup's link is made when it opens, not for every marker up front.
            marker.bindPopup(function () {
              var link = document.createElement("a");
              link.href = url;
              link.textContent = title;
              return link;
            });
          }
          markers.push(marker);
        });
        clusters.addLayers(markers);
        map.getContainer().setAttribute("data-loaded", String(markers.length));
        if (status) { status.textContent = options.loadedText.replace("{count}", markers.length); }
        if (markers.length && options.fit) { map.fitBounds(clusters.getBounds(), { maxZoom: 16 }); }
      })
      .catch(function () {
        if (status) { status.textContent = options.failedText; }
      });
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

  window.Participation = { picker: picker, browse: browse, draw: draw, plain: plain };
})();
