package io.github.browserpool.chrome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Speaks raw CDP over a browser's pipe for tests: NUL-terminated JSON both ways, no library. */
final class RawCdp {
  private RawCdp() {}

  /** Writes one message plus the NUL separator and flushes. */
  static void send(ChromeProcess browser, String json) {
    try {
      OutputStream out = browser.toBrowser();
      out.write(json.getBytes(StandardCharsets.UTF_8));
      out.write(0);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a command and returns the reply carrying {@code id}, skipping events; fails after {@code timeout}. */
  static String call(ChromeProcess browser, int id, String method, Duration timeout) throws Exception {
    send(browser, "{\"id\":" + id + ",\"method\":\"" + method + "\"}");
    InputStream in = browser.fromBrowser();
    CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
      String marker = "\"id\":" + id + ",";
      String marker2 = "\"id\":" + id + "}";
      while (true) {
        String msg = readMessage(in);
        if (msg == null) {
          throw new IllegalStateException("pipe closed before the reply to " + method);
        }
        if (msg.contains(marker) || msg.contains(marker2)) {
          return msg;
        }
      }
    });
    try {
      return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      Thread.sleep(200); // Let the stderr drain catch up.
      throw new AssertionError("no reply to " + method + "; Chromium stderr:\n" + browser.stderrTail(), e);
    }
  }

  /** Returns a Browser.close sender for {@link ChromeProcess#terminate}. */
  static java.util.function.Supplier<CompletableFuture<?>> browserClose(ChromeProcess browser) {
    return () -> {
      send(browser, "{\"id\":999,\"method\":\"Browser.close\"}");
      return CompletableFuture.completedFuture(null);
    };
  }

  private static String readMessage(InputStream in) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        if (b == 0) {
          return buf.toString(StandardCharsets.UTF_8);
        }
        buf.write(b);
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }
}
