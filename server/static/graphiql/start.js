// Starts GraphiQL with the explorer plugin, from the assets this server ships (no CDN).
// The page carries its settings as JSON (not a script: the Content-Security-Policy allows no inline code).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var fetcher = GraphiQL.createFetcher({
    url: config.url,
    // tells a server that runs trusted documents only (in development) that this is a tool, not an app
    headers: { "x-leadgen-tool": "graphiql" }
  });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: config.query,
      defaultHeaders: config.headers,
      shouldPersistHeaders: true
    })
  );
})();
