// The bench's stand-in API server: answers with prepared JSON bodies by path (and by the query
// string for label-selected lists). A list prepared as items (`<path>#items`, a JSON array of each
// item's JSON) is chunked as the API server chunks it: `limit` items a page, `continue` naming
// where the next page starts. Plain JavaScript, so a worker thread can load it without tsx.
"use strict";

const NOT_FOUND = JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" });

/**
 * The request handler over `responses` (path -> body). Item lists are parsed once, on first use,
 * and each answer kept as bytes once built: the bench times the CLI, not the stand-in building a
 * page of 1000 Backups again on every run (a few milliseconds each, 40 in a row).
 */
function catalogueHandler(responses) {
    const itemLists = new Map();
    const pages = new Map();
    const itemsOf = (pathname) => {
        const prepared = responses[`${pathname}#items`];
        if (prepared === undefined) return undefined;
        if (!itemLists.has(pathname)) itemLists.set(pathname, JSON.parse(prepared));
        return itemLists.get(pathname);
    };
    return (req, res) => {
        const url = new URL(req.url, "http://127.0.0.1");
        const items = itemsOf(url.pathname);
        let body;
        if (items) {
            const key = `${url.pathname}?${url.searchParams.get("limit")}&${url.searchParams.get("continue")}`;
            if (!pages.has(key)) pages.set(key, Buffer.from(listPage(responses[`${url.pathname}#kind`], items, url.searchParams)));
            body = pages.get(key);
        } else {
            const key = responses[req.url] !== undefined ? req.url : url.pathname;
            if (!pages.has(key) && responses[key] !== undefined) pages.set(key, Buffer.from(responses[key]));
            body = pages.get(key);
        }
        res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
        res.end(body ?? NOT_FOUND);
    };
}

/** One page of a list: all of it without `limit`, else `limit` items from the offset `continue` names. */
function listPage(kind, items, query) {
    const limit = Number(query.get("limit") || 0);
    const from = Number(query.get("continue") || 0);
    const page = limit > 0 ? items.slice(from, from + limit) : items;
    const more = limit > 0 && from + limit < items.length;
    const metadata = more ? `{"continue":"${from + limit}"}` : "{}";
    return `{"apiVersion":"velero.io/v1","kind":"${kind}","metadata":${metadata},"items":[${page.join(",")}]}`;
}

module.exports = { catalogueHandler };
