package io.github.browserpool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One page (tab) of a lease spoken to in raw CDP: any method with JSON params, any event by name. The
 * escape hatch for what cdt-java-client lacks, such as the {@code Fetch} domain. Get one with {@code
 * BrowserLease.newRawPage()}.
 *
 * <pre>{@code
 * RawPage page = lease.newRawPage();
 * page.subscribe("Fetch.requestPaused", event -> page.callAsync("Fetch.continueRequest",
 *     page.params().put("requestId", event.get("requestId").asText())));
 * page.call("Fetch.enable", null);
 * page.call("Page.navigate", page.params().put("url", "https://example.org/"));
 * }</pre>
 *
 * <p>Every call and subscription counts as the lease's activity and fails with the lease's exception
 * once it ended. Event listeners run one at a time, in order, on a shared daemon thread (not the pipe's
 * reader), so a listener may make calls, blocking ones included. The page closes with its lease, or
 * with {@link #close()}. Thread-safe.
 */
public interface RawPage extends AutoCloseable {
  /** Returns a new, empty JSON object to fill in as params. */
  ObjectNode params();

  /** The id of this page's target. */
  String targetId();

  /** The CDP session id this page is spoken to in. */
  String sessionId();

  /**
   * Sends {@code method} with {@code params} in this page's session and waits for the result.
   *
   * @param params the command's params, or null for none
   * @return the reply's {@code result} ({@code {}} when it has none)
   * @throws CdpException when Chromium answers with an error (its code and message are kept), or no
   *     reply comes within the pool's launchTimeout
   * @throws LeaseRevokedException when the lease ended
   */
  JsonNode call(String method, JsonNode params);

  /**
   * Sends {@code method} without waiting.
   *
   * @return completes with the result, or exceptionally with {@link CdpException} for an error reply or
   *     {@link CdpConnectionClosedException} when the page or browser went away
   * @throws LeaseRevokedException at once when the lease ended
   */
  CompletableFuture<JsonNode> callAsync(String method, JsonNode params);

  /**
   * Calls {@code listener} with the params of every {@code event} (for example {@code
   * "Fetch.requestPaused"}) of this page, until the returned handle is closed. Enabling the event's
   * domain is the caller's business (for example {@code Fetch.enable}).
   */
  AutoCloseable subscribe(String event, Consumer<JsonNode> listener);

  /** Closes the page's target; later calls fail. Idempotent. */
  @Override
  void close();

  /** Whether the page is gone: closed, crashed, or its lease or browser ended. */
  boolean isClosed();
}
