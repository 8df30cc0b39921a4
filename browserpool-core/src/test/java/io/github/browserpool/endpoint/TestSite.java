package io.github.browserpool.endpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A tiny site on 127.0.0.1 for the endpoint tests (public for tests in other packages): a form that sets
 * a cookie and its result page; {@code /outer} and {@code /page}, each with an iframe from localhost (another
 * site, so an out-of-process frame: {@code /inner}, {@code /frame}); and {@code /file}, a download.
 */
public final class TestSite implements AutoCloseable {
  private final HttpServer server;

  public TestSite() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/form", x -> {
      x.getResponseHeaders().add("Set-Cookie", "seen=yes; Path=/");
      send(x, "<!doctype html><title>the form</title><form action='/submit' method='post'>"
          + "<input name='q'><button type='submit'>Go</button></form>");
    });
    server.createContext("/submit", x -> {
      String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String q = URLDecoder.decode(body.replaceFirst("^q=", ""), StandardCharsets.UTF_8);
      send(x, "<!doctype html><title>got " + q.replace("<", "") + "</title><p>thanks</p>");
    });
    server.createContext("/outer", x -> send(x, "<!doctype html><title>outer</title>"
        + "<iframe src='" + crossSite(x, "/inner") + "'></iframe>"));
    server.createContext("/inner", x -> send(x, "<!doctype html><title>inner</title><p>frame"));
    server.createContext("/page", x -> send(x, "<!doctype html><title>page</title>"
        + "<input id=t><input id=f type=file><a id=d href='/file' download>get</a>"
        + "<iframe src='" + crossSite(x, "/frame") + "'></iframe>"));
    server.createContext("/frame", x -> send(x, "<!doctype html><title>frame</title><p>in the frame"));
    server.createContext("/file", x -> {
      x.getResponseHeaders().add("Content-Disposition", "attachment; filename=data.txt");
      byte[] bytes = "downloaded bytes".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  /** The same server as another site (localhost rather than 127.0.0.1). */
  private static String crossSite(HttpExchange x, String path) {
    return "http://localhost:" + x.getLocalAddress().getPort() + path;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static void send(HttpExchange x, String html) throws IOException {
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
    x.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
