// /docs (Swagger UI) and /redoc (ReDoc), both from npm via static/vendor/: nothing from another host.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const swagger = document.getElementById("swagger-ui");
    if (swagger) {
      if (!window.SwaggerUIBundle) { swagger.textContent = "Swagger UI is missing: run `make vendor`."; return; }
      swagger.replaceChildren();
      window.SwaggerUIBundle({
        url: "/openapi.json", domNode: swagger, deepLinking: true,
        validatorUrl: null,  // the default sends the description to an outside validator
        presets: [window.SwaggerUIBundle.presets.apis], layout: "BaseLayout",
        syntaxHighlight: { activated: true, theme: "agate" },
      });
    }
    const redoc = document.getElementById("redoc");
    if (redoc) {
      if (!window.Redoc) { redoc.textContent = "ReDoc is missing: run `make vendor`."; return; }
      redoc.replaceChildren();
      window.Redoc.init(redoc.dataset.spec, {
        hideDownloadButton: false, disableSearch: false, scrollYOffset: 0, expandResponses: "200",
        theme: { typography: { fontFamily: "system-ui, sans-serif", headings: { fontFamily: "system-ui, sans-serif" } },
          colors: { primary: { main: "#1f4fa3" } } },
      }, redoc);
    }
  });
})();
