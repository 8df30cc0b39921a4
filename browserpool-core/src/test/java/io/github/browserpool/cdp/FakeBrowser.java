package io.github.browserpool.cdp;

import static java.util.concurrent.TimeUnit.SECONDS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The browser end of two {@link MemoryPipe}s, driven by the test: it records every message the connection
 * sends and writes whatever bytes the test scripts.
 */
final class FakeBrowser implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MemoryPipe commands = new MemoryPipe(); // connection -> browser (fd 3)
  private final MemoryPipe replies = new MemoryPipe(); // browser -> connection (fd 4)
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  final PipeConnection connection;

  FakeBrowser(String name, Runnable activity) {
    connection = new PipeConnection(name, replies.in, commands.out, activity);
    Thread reader = new Thread(this::readCommands, "fake-browser-" + name);
    reader.setDaemon(true);
    reader.start();
    connection.start();
  }

  FakeBrowser() {
    this("fake", () -> {});
  }

  /** The next message the connection sent, parsed; fails the test if none comes within 5 s. */
  JsonNode next() throws Exception {
    return JSON.readTree(nextText());
  }

  /** The next message the connection sent, as the exact text on the wire. */
  String nextText() throws InterruptedException {
    String text = received.poll(5, SECONDS);
    if (text == null) {
      throw new AssertionError("the connection sent nothing within 5 s");
    }
    return text;
  }

  /** Whether the connection has sent a message that was not taken yet. */
  boolean hasUnread() {
    return !received.isEmpty();
  }

  /** Writes one message and its NUL. */
  void send(String json) throws IOException {
    write(frame(json));
  }

  /** Writes raw bytes, which may hold any part of any number of messages. */
  void write(byte[] bytes) throws IOException {
    replies.out.write(bytes);
  }

  static byte[] frame(String json) {
    byte[] text = json.getBytes(StandardCharsets.UTF_8);
    byte[] framed = new byte[text.length + 1];
    System.arraycopy(text, 0, framed, 0, text.length);
    return framed;
  }

  /** The bytes of several messages, each one framed. */
  static byte[] frames(String... jsons) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String json : jsons) {
      out.writeBytes(frame(json));
    }
    return out.toByteArray();
  }

  /** Where {@code value} first stands in {@code bytes}; fails the test if nowhere. */
  static int indexOf(byte[] bytes, byte value) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == value) {
        return i;
      }
    }
    throw new AssertionError("no byte " + value);
  }

  void reply(JsonNode command, String resultJson) throws IOException {
    String session = command.has("sessionId") ? ",\"sessionId\":\"" + command.get("sessionId").asText() + "\"" : "";
    send("{\"id\":" + command.get("id").asLong() + ",\"result\":" + resultJson + session + "}");
  }

  /** Answers the next command, which must be Target.attachToTarget, and returns the session. */
  CdpSession attach(String targetId, String sessionId) throws Exception {
    var attaching = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> connection.attach(targetId, java.time.Duration.ofSeconds(5)));
    JsonNode command = next();
    if (!"Target.attachToTarget".equals(command.get("method").asText())) {
      throw new AssertionError("expected Target.attachToTarget, got " + command);
    }
    reply(command, "{\"sessionId\":\"" + sessionId + "\"}");
    return attaching.get(5, SECONDS);
  }

  /** The browser closes its end: the connection reads end-of-file. */
  void endOfFile() {
    replies.closeWriter();
  }

  @Override
  public void close() {
    connection.close();
    replies.closeWriter();
    commands.closeReader();
  }

  private void readCommands() {
    InputStream in = commands.in;
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        if (b == 0) {
          String text = message.toString(StandardCharsets.UTF_8);
          message.reset();
          received.add(text);
        } else {
          message.write(b);
        }
      }
    } catch (IOException e) {
      // the connection closed its end
    }
  }
}
