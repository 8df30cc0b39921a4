package io.github.browserpool.test;

import com.github.kklisura.cdt.protocol.support.types.EventListener;
import com.github.kklisura.cdt.protocol.types.page.Navigate;
import com.github.kklisura.cdt.protocol.types.runtime.Evaluate;
import com.github.kklisura.cdt.protocol.types.runtime.ExceptionDetails;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The few page actions tests and examples need, over cdt-java-client's typed API: navigate and wait for
 * the load, wait for a navigation that a click starts, run a script and get its result. Failures of the
 * pool itself ({@code LeaseRevokedException}, {@code BrowserCrashedException}) pass through unchanged.
 */
public final class Pages {
  /** How long {@link #navigate(ChromeDevToolsService, String)} and {@link #waitForLoad} wait by default. */
  public static final Duration LOAD_TIMEOUT = Duration.ofSeconds(30);

  private Pages() {}

  /**
   * Navigates {@code page} to {@code url} and returns once that document has loaded, waiting up to
   * {@link #LOAD_TIMEOUT}.
   *
   * @throws IllegalStateException when the navigation fails or the page does not load in time
   */
  public static void navigate(ChromeDevToolsService page, String url) {
    navigate(page, url, LOAD_TIMEOUT);
  }

  /**
   * Navigates {@code page} to {@code url} and returns once that document has loaded: its load event
   * fired, or (checked every 100 ms, so a missed event cannot hang the caller) its {@code readyState} is
   * "complete" at the requested URL.
   *
   * @throws IllegalStateException when the navigation fails or does not finish within {@code timeout}
   */
  public static void navigate(ChromeDevToolsService page, String url, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    page.getPage().enable(); // Page events are only sent once the domain is enabled
    CountDownLatch loaded = new CountDownLatch(1);
    EventListener listener = page.getPage().onLoadEventFired(event -> loaded.countDown());
    try {
      Navigate navigation = page.getPage().navigate(url);
      if (navigation.getErrorText() != null) {
        throw new IllegalStateException("navigation to " + url + " failed: " + navigation.getErrorText());
      }
      String done = "document.readyState === 'complete' && location.href === new URL(" + jsString(url) + ").href";
      while (!loaded.await(100, TimeUnit.MILLISECONDS)) {
        try {
          if (Boolean.TRUE.equals(evaluate(page, done))) {
            return;
          }
        } catch (ChromeDevToolsInvocationException e) {
          // The old document's context went away mid-navigation: ask the new one next time.
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(url + " did not finish loading within " + timeout);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + url + " to load", e);
    } finally {
      listener.unsubscribe();
    }
  }

  /**
   * Runs {@code action}, which starts a navigation (a form submit, a link click), and returns once the
   * next document fired its load event, waiting up to {@link #LOAD_TIMEOUT}. The listener is in place
   * before the action runs, so a fast load cannot be missed.
   *
   * @throws IllegalStateException when no load event arrives in time
   */
  public static void waitForLoad(ChromeDevToolsService page, Runnable action) {
    waitForLoad(page, LOAD_TIMEOUT, action);
  }

  /**
   * Like {@link #waitForLoad(ChromeDevToolsService, Runnable)}, with a timeout of your choice.
   *
   * @throws IllegalStateException when no load event arrives within {@code timeout}
   */
  public static void waitForLoad(ChromeDevToolsService page, Duration timeout, Runnable action) {
    page.getPage().enable();
    CountDownLatch loaded = new CountDownLatch(1);
    EventListener listener = page.getPage().onLoadEventFired(event -> loaded.countDown());
    try {
      action.run();
      if (!loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the page did not fire its load event within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the page to load", e);
    } finally {
      listener.unsubscribe();
    }
  }

  /**
   * Evaluates a JavaScript expression in the page and returns its value by value (a String, Number,
   * Boolean, List or Map for JSON-like results, or null). Promises are awaited.
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
    return result.getResult() == null ? null : result.getResult().getValue();
  }

  /** The page's {@code document.title}. */
  public static String title(ChromeDevToolsService page) {
    return (String) evaluate(page, "document.title");
  }

  /** The text content of the first element matching a CSS selector, or null when none matches. */
  public static String text(ChromeDevToolsService page, String cssSelector) {
    return (String) evaluate(page,
        "document.querySelector(" + jsString(cssSelector) + ")?.textContent ?? null");
  }

  /** A JavaScript string literal for {@code s}. */
  public static String jsString(String s) {
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
