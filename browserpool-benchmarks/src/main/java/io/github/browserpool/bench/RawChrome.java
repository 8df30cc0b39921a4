package io.github.browserpool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.test.ProcessTable;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The "limit" contender: a bare Chromium spawned with ProcessBuilder and spoken to over
 * --remote-debugging-pipe with hand-written JSON. No pool, no typed API: the floor.
 */
final class RawChrome implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode EOF = JSON.createObjectNode().put("__eof", true);

  final Process process;
  final Path dir;
  private final OutputStream out;
  private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
  private final LinkedList<JsonNode> stash = new LinkedList<>();
  private int nextId = 1;
  private boolean closed;

  private RawChrome(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
    this.out = process.getOutputStream();
    Thread reader = new Thread(() -> read(process.getInputStream()), "raw-pipe-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    Thread err = new Thread(() -> drain(process.getErrorStream()), "raw-err-" + process.pid());
    err.setDaemon(true);
    err.start();
  }

  /** Spawns Chromium with the pipe trick. Nothing is sent yet. */
  static RawChrome spawn(Path chrome, List<String> flags, Path root) throws IOException {
    Path dir = root.resolve("raw-" + UUID.randomUUID());
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
        "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>&2", chrome.toString()));
    cmd.addAll(flags);
    cmd.add("--user-data-dir=" + dir);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TMPDIR", dir.toString());
    pb.directory(dir.toFile()); // as the pool does: the headless shell's helpers are found by their working dir
    try {
      return new RawChrome(pb.start(), dir);
    } catch (IOException e) {
      Procs.deleteTree(dir);
      throw e;
    }
  }

  private void read(InputStream raw) {
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        if (b == 0) {
          inbox.add(JSON.readTree(buf.toByteArray()));
          buf.reset();
        } else {
          buf.write(b);
        }
      }
    } catch (IOException ignored) {
      // EOF below
    }
    inbox.add(EOF);
  }

  private static void drain(InputStream in) {
    byte[] b = new byte[8192];
    try {
      while (in.read(b) >= 0) {
        // discard Chromium's stderr
      }
    } catch (IOException ignored) {
      // process gone
    }
  }

  /** Sends a command (optionally on a flattened session) and waits for its reply's result. */
  synchronized JsonNode call(String sessionId, String method, ObjectNode params) throws IOException {
    int id = nextId++;
    ObjectNode msg = JSON.createObjectNode();
    msg.put("id", id);
    if (sessionId != null) {
      msg.put("sessionId", sessionId);
    }
    msg.put("method", method);
    if (params != null) {
      msg.set("params", params);
    }
    out.write(JSON.writeValueAsBytes(msg));
    out.write(0);
    out.flush();
    while (true) {
      JsonNode m = take();
      if (m.path("id").asInt(-1) == id && !m.has("method")) {
        if (m.has("error")) {
          throw new IOException(method + " failed: " + m.get("error"));
        }
        return m.path("result");
      }
      stash.add(m);
    }
  }

  /** Waits for an event on a session (events seen during earlier calls count). */
  synchronized JsonNode awaitEvent(String sessionId, String method) throws IOException {
    for (Iterator<JsonNode> it = stash.iterator(); it.hasNext(); ) {
      JsonNode m = it.next();
      if (method.equals(m.path("method").asText()) && sessionId.equals(m.path("sessionId").asText())) {
        it.remove();
        return m;
      }
    }
    while (true) {
      JsonNode m = take();
      if (method.equals(m.path("method").asText()) && sessionId.equals(m.path("sessionId").asText())) {
        return m;
      }
      stash.add(m);
    }
  }

  private JsonNode take() throws IOException {
    try {
      JsonNode m = inbox.poll(60, TimeUnit.SECONDS);
      if (m == null) {
        throw new IOException("no CDP message within 60 s from pid " + process.pid());
      }
      if (m == EOF) {
        inbox.add(EOF);
        throw new IOException("pipe closed by pid " + process.pid());
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  /** One isolated page over the pipe: createBrowserContext, createTarget, attach (flatten). */
  Page openPage() throws IOException {
    String ctx = call(null, "Target.createBrowserContext", params().put("disposeOnDetach", true))
        .path("browserContextId").asText();
    String target = call(null, "Target.createTarget",
        params().put("url", "about:blank").put("browserContextId", ctx)).path("targetId").asText();
    String session = call(null, "Target.attachToTarget",
        params().put("targetId", target).put("flatten", true)).path("sessionId").asText();
    return new Page(ctx, session);
  }

  final class Page {
    final String context;
    final String session;

    Page(String context, String session) {
      this.context = context;
      this.session = session;
    }

    JsonNode evaluate(String expression) throws IOException {
      return call(session, "Runtime.evaluate", params().put("expression", expression).put("returnByValue", true))
          .path("result").path("value");
    }

    String visit(String url) throws IOException {
      call(session, "Page.enable", null);
      call(session, "Page.navigate", params().put("url", url));
      awaitEvent(session, "Page.loadEventFired");
      return evaluate("document.title").asText();
    }

    void dispose() throws IOException {
      call(null, "Target.disposeBrowserContext", params().put("browserContextId", context));
      stash.removeIf(m -> session.equals(m.path("sessionId").asText()));
    }
  }

  long pid() {
    return process.pid();
  }

  /** Browser.close over the pipe, wait for the tree, SIGKILL what is left, delete the dir. */
  @Override
  public void close() {
    closeWith(ProcessTable.tree(pid(), dir));
  }

  /** As {@link #close()}, with the process tree found beforehand (so a timed close does not scan /proc). */
  void closeWith(Set<Long> tree) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (process.isAlive()) {
        out.write(JSON.writeValueAsBytes(params().put("id", nextId++).put("method", "Browser.close")));
        out.write(0);
        out.flush();
      }
    } catch (IOException ignored) {
      // already gone
    }
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!Procs.awaitGone(tree, null, 2000)) {
      Procs.kill(tree);
      Procs.awaitGone(tree, null, 5000);
    }
    Procs.deleteTree(dir);
  }
}
