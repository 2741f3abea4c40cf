// Bootstrap of ofhub's GraphiQL page. It lives in a file rather than inline
// in the HTML so that the Content-Security-Policy can be script-src 'self'.
// The server passes its settings as data attributes of #graphiql.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  // GraphiQL's modal dialogs insert a <style> element and give it the nonce
  // found in this global (a webpack convention kept in the bundle); the
  // page's Content-Security-Policy only admits styles with this nonce.
  window.__webpack_nonce__ = root.getAttribute("data-style-nonce");
  var endpoint = new URL(root.getAttribute("data-endpoint"), window.location.href);
  // Subscriptions use graphql-ws (protocol graphql-transport-ws) on the same
  // path as queries: ws: for http:, wss: for https:.
  var subscriptionURL = new URL(endpoint.href);
  subscriptionURL.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  // A token stored by another ofhub page (or by hand in the console) is sent
  // as a bearer token. Headers typed in GraphiQL's headers editor win over it.
  var tokenKey = root.getAttribute("data-token-key");
  var token = null;
  try {
    token = window.localStorage.getItem(tokenKey);
  } catch (e) {
    // Storage can be disabled (private mode, policies); work without it.
  }
  var headers = {};
  if (token) {
    headers.Authorization = "Bearer " + token;
  }

  var fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: subscriptionURL.href,
    headers: headers,
    // Browsers cannot set headers on a WebSocket, so the same headers go in
    // the payload of connection_init, where the server's InitFunc reads them.
    wsConnectionParams: headers,
  });

  var defaultQuery = [
    "# ofhub GraphQL API: " + endpoint.pathname,
    "#",
    "# To authenticate, put this in the",
    "# Headers tab below:",
    '#   {"Authorization": "Bearer <token>"}',
    "# or store the token once (console),",
    "# then reload; it is sent every time:",
    '#   localStorage.setItem(',
    '#     "' + tokenKey + '", "<token>")',
    "#",
    "# Ctrl-Enter runs the query,",
    "# Ctrl-Space completes, and the book",
    "# icon on the left shows the schema.",
    "",
    "{",
    "  __typename",
    "}",
    "",
  ].join("\n");

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      // Without a stored token, open the headers tab so users see where the
      // Authorization header goes.
      defaultEditorToolsVisibility: token ? false : "headers",
    })
  );
})();
