package io.github.browserpool.examples;

import com.github.kklisura.cdt.protocol.support.types.EventListener;
import com.github.kklisura.cdt.protocol.types.page.Navigate;
import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.protocol.types.runtime.ExceptionDetails;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The few page actions the examples need, written against cdt-java-client's typed API: navigate and
 * wait for the load event, run a script and get its result.
 */
public final class Pages {
  /** How long {@link #navigate} and {@link #waitForLoad} wait for the load event. */
  public static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);

  private Pages() {}

  /**
   * Navigates {@code page} to {@code url} and returns once the new document fired its load event.
   *
   * @throws IllegalStateException when the navigation fails or the page does not load in time
   */
  public static void navigate(ChromeDevToolsService page, String url) {
    waitForLoad(page, () -> {
      Navigate navigation = page.getPage().navigate(url);
      if (navigation.getErrorText() != null) {
        throw new IllegalStateException("navigation to " + url + " failed: " + navigation.getErrorText());
      }
    });
  }

  /**
   * Runs {@code action}, which starts a navigation (a form submit, a link click), and returns once the
   * next document fired its load event. The listener is in place before the action runs, so a fast
   * load cannot be missed.
   *
   * @throws IllegalStateException when no load event arrives within {@link #LOAD_TIMEOUT}
   */
  public static void waitForLoad(ChromeDevToolsService page, Runnable action) {
    page.getPage().enable(); // Page events are only sent once the domain is enabled
    CountDownLatch loaded = new CountDownLatch(1);
    EventListener listener = page.getPage().onLoadEventFired(event -> loaded.countDown());
    try {
      action.run();
      if (!loaded.await(LOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the page did not fire its load event within " + LOAD_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the page to load", e);
    } finally {
      listener.unsubscribe();
    }
  }

  /**
   * Evaluates a JavaScript expression in the page and returns its value (a String, Number, Boolean,
   * List or Map for JSON-like results, or null). Promises are awaited.
   *
   * @throws IllegalStateException when the script throws
   */
  public static Object evaluate(ChromeDevToolsService page, String expression) {
    Evaluate result = page.getRuntime().evaluate(expression, null, null, null, null,
        Boolean.TRUE /* returnByValue */, null, null, Boolean.TRUE /* awaitPromise */,
        null, null, null, null, null, null);
    ExceptionDetails error = result.getExceptionDetails();
    if (error != null) {
      String detail = error.getException() != null && error.getException().getDescription() != null
          ? error.getException().getDescription()
          : error.getText();
      throw new IllegalStateException("script failed: " + expression + ": " + detail);
    }
    return result.getResult().getValue();
  }

  /** The text content of the first element matching a CSS selector, or null when none matches. */
  public static String text(ChromeDevToolsService page, String cssSelector) {
    return (String) evaluate(page,
        "document.querySelector(" + jsString(cssSelector) + ")?.textContent ?? null");
  }

  /** A JavaScript string literal for {@code s}. */
  static String jsString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
