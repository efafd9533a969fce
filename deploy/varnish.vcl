# Varnish in front of Newsroom (Debian: apt-get install varnish varnish-modules).
#
#   varnishd -a :6081 -f /path/to/deploy/varnish.vcl -s malloc,1G
#   NEWSROOM_HTTP_CACHE_URLS=http://127.0.0.1:6081   (on every app server: it purges here)
#
# Readers' pages are cached for as long as the app's Surrogate-Control says
# (an hour at most, never past the next scheduled publish or unpublish time)
# and purged by the keys of their Surrogate-Key header (xkey) when something
# they show changes. Editors (a session cookie), the admin and preview links
# always reach the app. Cookies are dropped for everyone else, and the query
# string is cut to the parameters the page reads, so neither can split or
# poison the cache. docs/deploy.md explains each part.

vcl 4.1;

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;  # healthy from the start: no 503s until the first probe
    }
}

# Who may purge: the app servers (NEWSROOM_HTTP_CACHE_URLS points here).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey) {
            set req.http.n-gone = xkey.purge(req.http.xkey);
            return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    set req.http.host = std.tolower(req.http.host);
    # The editors' side, preview links and the health check are never cached.
    if (req.url ~ "^/(admin|preview)/" || req.url ~ "^/healthz") {
        return (pass);
    }
    # A session cookie is an editor's (or someone who was one): the app decides, uncached.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    unset req.http.Cookie;
    call newsroom_query;
    # Stale pages only while the app is down; otherwise a page that expired
    # (a scheduled change fell due) is fetched afresh, never served stale.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    # Varnish's built-in vcl_recv follows: it passes requests with an Authorization header.
}

# The query parameters each page reads, as articles/cache/keys.py QUERY_PARAMETERS
# says (tests/test_varnish.py checks the two agree); every other parameter is
# dropped before the lookup, so the app sees exactly the URL the cache keyed on.
sub newsroom_query {
    if (req.url ~ "^/api/") {
        # The read API's lists read several filters and a cursor (keys.py names them per address);
        # the app keys its own cache on exactly those, so its query goes through as it came.
        return;
    }
    if (req.url !~ "\?") {
        return;
    }
    set req.http.X-Query = "&" + regsub(req.url, "^[^?]*\?", "");
    set req.url = regsub(req.url, "\?.*$", "");
    set req.http.X-Kept = "";
    if (req.url ~ "^/search/$") {
        call keep_q;
        call keep_page;
    } elsif (req.url ~ "^/(feed/.*|people/|organisations/|sitemap-news\.xml)?$") {
        # the home page, the indexes of people and organisations, feeds, the news sitemap: no parameter
    } elsif (req.url ~ "^/sitemap-[^/]+\.xml$") {
        call keep_p;
    } elsif (req.url ~ "^/organisations/[^/]+/$") {
        # an organisation: its chart on a day (?on=2021-11-30), and its page of stories
        call keep_on;
        call keep_page;
    } elsif (req.url ~ "^/.+/$") {
        # sections, articles, tags, a person, corrections
        call keep_page;
    }
    if (req.http.X-Kept != "") {
        set req.url = req.url + "?" + regsub(req.http.X-Kept, "^&", "");
    }
    unset req.http.X-Query;
    unset req.http.X-Kept;
}

# Each keeps the last value given, as Django's QueryDict.get() reads it.
sub keep_page {
    if (req.http.X-Query ~ "&page=") {
        set req.http.X-Kept = req.http.X-Kept + "&page=" + regsub(req.http.X-Query, "^.*&page=([^&]*).*$", "\1");
    }
}

sub keep_q {
    if (req.http.X-Query ~ "&q=") {
        set req.http.X-Kept = req.http.X-Kept + "&q=" + regsub(req.http.X-Query, "^.*&q=([^&]*).*$", "\1");
    }
}

sub keep_on {
    if (req.http.X-Query ~ "&on=") {
        set req.http.X-Kept = req.http.X-Kept + "&on=" + regsub(req.http.X-Query, "^.*&on=([^&]*).*$", "\1");
    }
}

sub keep_p {
    if (req.http.X-Query ~ "&p=") {
        set req.http.X-Kept = req.http.X-Kept + "&p=" + regsub(req.http.X-Query, "^.*&p=([^&]*).*$", "\1");
    }
}

sub vcl_hash {
    # Behind a TLS proxy the app names the scheme it was told in its absolute URLs.
    hash_data(req.http.X-Forwarded-Proto);
    # Varnish's built-in vcl_hash follows: the URL and the host.
}

sub vcl_backend_response {
    if (bereq.url ~ "^/(static|media)/") {
        return (deliver);  # their own Cache-Control (hashed static files are immutable)
    }
    # Only what the app marks for shared caches is kept: its public pages.
    # Anything else (404s, redirects, previews, pages with a cookie) is asked
    # for anew each time, so publishing a draft needs no purge of its 404.
    if (beresp.status == 200 && !beresp.http.Set-Cookie && beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
        set beresp.ttl = std.duration(regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1") + "s", 0s);
        set beresp.grace = 6h;  # used only while the app is down (vcl_recv)
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Control;
        return (deliver);
    }
    set beresp.uncacheable = true;
    set beresp.ttl = 1s;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
    unset resp.http.Via;
    if (obj.hits > 0) {
        set resp.http.X-Http-Cache = "HIT";
        # The app's request id names the request that rendered the page, not this one: a hit
        # is found in varnishlog by X-Varnish instead.
        unset resp.http.X-Request-ID;
    } else {
        set resp.http.X-Http-Cache = "MISS";
    }
}
