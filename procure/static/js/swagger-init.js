// Starts Swagger UI from an external file, so the page runs under a strict CSP (no inline script).
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({
    url: container.dataset.specUrl,
    dom_id: "#swagger-ui-container",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // the areas listed closed: a reader opens the one it wants (all 150-odd operations open at
    // once render only as far as the first areas in a headless browser, and are a long scroll)
    docExpansion: "none",
    persistAuthorization: false
  });
});
