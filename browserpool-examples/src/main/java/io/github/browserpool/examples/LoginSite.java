package io.github.browserpool.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A demo site with a cookie login, on 127.0.0.1. {@code GET /login} shows a form; {@code POST /login}
 * with {@code user=<name>} starts a session, sets the cookie {@code session=<id>} and redirects to
 * {@code /account}; {@code /account} shows "Welcome, &lt;name&gt;" only with a valid session cookie,
 * otherwise "Please log in".
 */
public final class LoginSite implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, String> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger logins = new AtomicInteger();

  private LoginSite(HttpServer server) {
    this.server = server;
  }

  /** Starts the site on a free port. */
  public static LoginSite start() {
    HttpServer server = Http.newLocalServer("login-site");
    LoginSite site = new LoginSite(server);
    server.createContext("/login", site::login);
    server.createContext("/account", site::account);
    server.start();
    return site;
  }

  /** The absolute URL of {@code path} on this site. */
  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** How many times someone logged in (POST /login) so far. */
  public int logins() {
    return logins.get();
  }

  private void login(HttpExchange exchange) throws IOException {
    try (exchange) {
      if ("POST".equals(exchange.getRequestMethod())) {
        String user = Http.formFields(exchange).getOrDefault("user", "").trim();
        if (!user.isEmpty()) {
          String id = UUID.randomUUID().toString();
          sessions.put(id, user);
          logins.incrementAndGet();
          exchange.getResponseHeaders().add("Set-Cookie", "session=" + id + "; Path=/; HttpOnly; SameSite=Lax");
          Http.redirect(exchange, "/account");
          return;
        }
      }
      Http.sendHtml(exchange, 200, "<!doctype html><html><head><meta charset=\"utf-8\"><title>Log in</title></head>"
          + "<body><form method=\"post\" action=\"/login\">"
          + "<label>User <input name=\"user\"></label> <button type=\"submit\">Log in</button>"
          + "</form></body></html>");
    }
  }

  private void account(HttpExchange exchange) throws IOException {
    try (exchange) {
      String user = sessionUser(exchange.getRequestHeaders().get("Cookie"));
      String greeting = user == null ? "Please log in" : "Welcome, " + Http.escape(user);
      Http.sendHtml(exchange, 200, "<!doctype html><html><head><meta charset=\"utf-8\"><title>Account</title></head>"
          + "<body><h1 id=\"greeting\">" + greeting + "</h1></body></html>");
    }
  }

  private String sessionUser(List<String> cookieHeaders) {
    if (cookieHeaders == null) {
      return null;
    }
    for (String header : cookieHeaders) {
      for (String cookie : header.split(";")) {
        String c = cookie.trim();
        if (c.startsWith("session=")) {
          String user = sessions.get(c.substring("session=".length()));
          if (user != null) {
            return user;
          }
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    Http.stop(server);
  }
}
