package io.github.browserpool.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** A local site of {@code pages} small HTML pages on 127.0.0.1: /p/0 .. /p/(pages-1), title "Page N". */
final class Site implements AutoCloseable {
  private final HttpServer server;
  final int pages;

  Site(int pages) throws IOException {
    this.pages = pages;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/p/", ex -> {
      String n = ex.getRequestURI().getPath().substring(3);
      StringBuilder body = new StringBuilder("<!doctype html><html><head><meta charset=utf-8><title>Page ")
          .append(n).append("</title></head><body><h1>Page ").append(n).append("</h1><ul>");
      for (int i = 0; i < 20; i++) {
        body.append("<li><a href=\"/p/").append(i).append("\">link ").append(i).append("</a></li>");
      }
      body.append("</ul><p>").append("lorem ipsum dolor sit amet ".repeat(40)).append("</p></body></html>");
      byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    });
    server.createContext("/favicon.ico", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.setExecutor(Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "site");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  String url(int i) {
    return origin() + "/p/" + i;
  }

  /** The site's origin, {@code http://127.0.0.1:<port>}. */
  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static String expectedTitle(int i) {
    return "Page " + i;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
