package io.github.browserpool.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.cdp.PipeConnection;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The adapter that lets PipeConnection speak CDP over a websocket, against a scripted WebSocket. */
class WebSocketPipeTest {
  @Test
  void eachNulTerminatedWriteBecomesOneTextMessageAndAnUnfinishedOneWaitsForItsNul() throws IOException {
    FakeSocket ws = new FakeSocket();
    WebSocketPipe pipe = open(ws);
    pipe.out().write("{\"id\":1}\0{\"id\":2,\"p\":\"é\"}\0{\"id\"".getBytes(StandardCharsets.UTF_8));
    assertThat(ws.sent).containsExactly("{\"id\":1}", "{\"id\":2,\"p\":\"é\"}");
    pipe.out().write(":3}\0".getBytes(StandardCharsets.UTF_8));
    assertThat(ws.sent).containsExactly("{\"id\":1}", "{\"id\":2,\"p\":\"é\"}", "{\"id\":3}");
  }

  @Test
  void receivedMessagesAndTheirFragmentsBecomeNulTerminatedBytesThenEndOfFileWhenTheSocketCloses()
      throws IOException {
    FakeSocket ws = new FakeSocket();
    WebSocketPipe pipe = open(ws);
    pipe.onText(ws, "{\"id\":1,", false);
    pipe.onText(ws, "\"r\":\"ü\"}", true);
    pipe.onText(ws, "{\"id\":2}", true);
    pipe.onClose(ws, 1001, "going away");
    assertThat(readAll(pipe.in())).isEqualTo("{\"id\":1,\"r\":\"ü\"}\0{\"id\":2}\0");
    assertThat(pipe.in().read()).as("still at end").isEqualTo(-1);
    assertThat(pipe.endReason()).contains("code 1001").contains("going away");
    assertThat(ws.requested).as("asks for one message at a time").isEqualTo(4);
  }

  @Test
  void aBrowserSideFloodIsHeldBackAtTheBoundAndNothingIsDropped() throws IOException {
    FakeSocket ws = new FakeSocket();
    long bound = 10_000;
    WebSocketPipe pipe = new WebSocketPipe(Duration.ofSeconds(5), bound);
    pipe.onOpen(ws);
    String chunk = "x".repeat(999); // 1,000 bytes with its NUL
    int sent = 0;
    // The Grid sends while the reader does not read: only what the socket asked for can come.
    while (ws.requested > sent) {
      pipe.onText(ws, chunk.substring(0, 500), false);
      pipe.onText(ws, chunk.substring(500), true);
      sent += 2;
      assertThat(sent).as("the flood stopped").isLessThan(1_000);
    }
    assertThat(pipe.queuedBytes()).as("held at the bound, plus at most one message")
        .isGreaterThan(bound).isLessThanOrEqualTo(bound + 1_000);
    assertThat(ws.requested).as("no message asked for beyond the bound").isEqualTo(sent);

    // The reader takes messages: the socket is asked again once half of the bound is left, not before.
    byte[] one = new byte[1_000];
    int taken = 0;
    while (pipe.queuedBytes() > bound / 2) {
      assertThat(ws.requested).as("still held with %s bytes waiting", pipe.queuedBytes()).isEqualTo(sent);
      assertThat(pipe.in().readNBytes(one, 0, one.length)).isEqualTo(1_000);
      taken++;
    }
    assertThat(ws.requested).as("asked again at half").isEqualTo(sent + 1);
    pipe.onText(ws, "{\"last\":true}", true);
    pipe.onClose(ws, 1000, "");
    String rest = readAll(pipe.in());
    int messages = taken + (int) rest.chars().filter(c -> c == 0).count();
    assertThat(messages).as("every message arrived, in order").isEqualTo(sent / 2 + 1);
    assertThat(rest).endsWith("{\"last\":true}\0");
    assertThat(pipe.queuedBytes()).isZero();
  }

  @Test
  void writesFailOnceTheSocketEndedOrASendFails() throws IOException {
    FakeSocket ws = new FakeSocket();
    WebSocketPipe pipe = open(ws);
    ws.failSends = true;
    assertThatThrownBy(() -> pipe.out().write("{}\0".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("sending on the CDP websocket failed");
    ws.failSends = false;
    pipe.onError(ws, new IOException("reset"));
    assertThatThrownBy(() -> pipe.out().write("{}\0".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("reset");
    assertThat(pipe.in().read()).isEqualTo(-1);
  }

  @Test
  void pipeConnectionRoutesRepliesOverItAndFailsPendingCallsWhenTheClientClosesIt() throws Exception {
    FakeSocket ws = new FakeSocket();
    WebSocketPipe pipe = open(ws);
    PipeConnection conn = new PipeConnection("ws-test", pipe.in(), pipe.out(), () -> {});
    conn.start();
    CompletableFuture<JsonNode> version = conn.send("Browser.getVersion", null);
    assertThat(ws.sent).hasSize(1);
    int id = PipeConnectionIds.idOf(ws.sent.get(0));
    pipe.onText(ws, "{\"id\":" + id + ",\"result\":{\"product\":\"Chrome/156\"}}", true);
    assertThat(version.get(5, TimeUnit.SECONDS).path("product").asText()).isEqualTo("Chrome/156");

    CompletableFuture<JsonNode> pending = conn.send("Runtime.evaluate", null);
    conn.close();
    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(CdpConnectionClosedException.class);
    assertThat(ws.aborted).as("closing the connection closes the socket").isTrue();
  }

  private static WebSocketPipe open(FakeSocket ws) {
    WebSocketPipe pipe = new WebSocketPipe(Duration.ofSeconds(5));
    pipe.onOpen(ws);
    return pipe;
  }

  private static String readAll(InputStream in) throws IOException {
    StringBuilder out = new StringBuilder();
    byte[] buf = new byte[5]; // small, so that messages are read in pieces
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
      bytes.write(buf, 0, n);
    }
    out.append(bytes.toString(StandardCharsets.UTF_8));
    return out.toString();
  }

  /** Reads the wire id PipeConnection gave a message. */
  static final class PipeConnectionIds {
    static int idOf(String message) throws IOException {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(message).path("id").asInt();
    }
  }

  /** Records what is sent; sends complete at once unless told to fail. */
  static final class FakeSocket implements WebSocket {
    final List<String> sent = new CopyOnWriteArrayList<>();
    volatile boolean failSends;
    volatile boolean aborted;
    volatile boolean outputClosed;
    volatile int requested;

    @Override
    public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
      if (failSends) {
        return CompletableFuture.failedFuture(new IOException("broken pipe"));
      }
      sent.add(data.toString());
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
      outputClosed = true;
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public void request(long n) {
      requested += (int) n;
    }

    @Override
    public String getSubprotocol() {
      return "";
    }

    @Override
    public boolean isOutputClosed() {
      return outputClosed;
    }

    @Override
    public boolean isInputClosed() {
      return aborted;
    }

    @Override
    public void abort() {
      aborted = true;
      outputClosed = true;
    }
  }
}
