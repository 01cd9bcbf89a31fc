/**
 * The page served at `/` and `/u/` until the web app (issue 5) replaces it. It says what is
 * here honestly instead of pretending to be the app.
 */
export const STATIC_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>docdrop (local)</title>
</head>
<body>
<main>
<h1>docdrop is running locally</h1>
<p>The API is served under <code>/api/</code>; <code>/config.json</code> has the addresses a client needs.</p>
<p>The web app (owner portal and client drop page) is not built yet. Until it is, use the API as the README's walk-through shows (<code>npm run demo</code>).</p>
</main>
</body>
</html>
`;
