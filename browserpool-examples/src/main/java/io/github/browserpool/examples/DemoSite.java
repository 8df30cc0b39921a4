package io.github.browserpool.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A demo site of linked pages on 127.0.0.1: page {@code /page/N} (0 &lt;= N &lt; size) has the title
 * {@code "Page N"} and links to a few other pages. Page N always links to page N+1, so every page is
 * reachable from {@code /page/0}. Anything else is a 404.
 */
public final class DemoSite implements AutoCloseable {
  private final HttpServer server;
  private final int size;

  private DemoSite(HttpServer server, int size) {
    this.server = server;
    this.size = size;
  }

  /** Starts serving a site of {@code size} pages on a free port. */
  public static DemoSite start(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, but was " + size);
    }
    HttpServer server = Http.newLocalServer("demo-site");
    DemoSite site = new DemoSite(server, size);
    server.createContext("/", site::handle);
    server.start();
    return site;
  }

  /** The URL of the first page, where a crawl starts. */
  public String startUrl() {
    return url(0);
  }

  /** The absolute URL of page {@code n}. */
  public String url(int n) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/page/" + n;
  }

  /** The number of pages. */
  public int size() {
    return size;
  }

  /** The pages a link of page {@code n} points to, in the order they appear. */
  static Set<Integer> linksOf(int n, int size) {
    Set<Integer> links = new LinkedHashSet<>();
    links.add((n + 1) % size);
    links.add((int) ((7L * n + 3) % size));
    links.add((int) (((long) n * n + 11) % size));
    links.add(n / 2);
    links.remove(n);
    return links;
  }

  /** Every page's URL mapped to the title it has, sorted by URL. */
  public Map<String, String> expectedTitles() {
    Map<String, String> titles = new TreeMap<>();
    for (int n = 0; n < size; n++) {
      titles.put(url(n), "Page " + n);
    }
    return titles;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Integer n = pageNumber(path);
      if (n == null || !"GET".equals(exchange.getRequestMethod())) {
        Http.sendHtml(exchange, 404, "<!doctype html><title>Not found</title><h1>Not found</h1>");
        return;
      }
      StringBuilder html = new StringBuilder()
          .append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Page ").append(n)
          .append("</title></head><body><h1>Page ").append(n).append("</h1><ul>");
      for (int link : linksOf(n, size)) {
        html.append("<li><a href=\"/page/").append(link).append("\">Page ").append(link).append("</a></li>");
      }
      html.append("</ul></body></html>");
      Http.sendHtml(exchange, 200, html.toString());
    }
  }

  private Integer pageNumber(String path) {
    if (!path.startsWith("/page/")) {
      return null;
    }
    try {
      int n = Integer.parseInt(path.substring("/page/".length()));
      return n >= 0 && n < size ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void close() {
    Http.stop(server);
  }
}
