package io.github.browserpool.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Selenium Grid 4 JVM (standalone, hub or node) on 127.0.0.1, for tests and benchmarks, started
 * from the caller's own class path. Its nodes run {@link #CHROMEDRIVER} and {@link #CHROMIUM}, found as
 * {@link Binaries} finds them, or the binaries given to the overloads that take them. The caller brings the
 * {@code org.seleniumhq.selenium:selenium-grid} jars (4.47.0 is what this was written against) in test
 * scope; this module does not depend on them.
 *
 * <p>Each one gets its own dir and {@code TMPDIR}, which its chromedriver and Chromium processes
 * inherit: {@link #processes()} finds exactly what this Grid started by that environment variable in
 * /proc, even after a {@code kill -9} of the Grid JVM reparented them to PID 1. {@link #close()} stops
 * the JVM, kills such leftovers by PID, and deletes its dir.
 *
 * <p>The static helpers speak W3C WebDriver and Grid HTTP to any Grid URL, without a Selenium client.
 */
public final class GridProcess implements AutoCloseable {
  /**
   * The chromedriver a node runs unless given another: the first {@code chromedriver} on {@code PATH}
   * (Debian's {@code chromium-driver} package), or the bare name when there is none, which starting a
   * node then reports with what to install.
   */
  public static final Path CHROMEDRIVER =
      Binaries.findChromedriver(System.getenv()).orElse(Path.of(Binaries.CHROMEDRIVER_NAME));
  /**
   * The Chromium binary in a node's stereotype unless given another: full Chromium, as {@link
   * Binaries#chromium()} finds it ({@code CHROME_PATH} unless it names a headless shell, else the first of
   * {@link Binaries#CHROMIUM_NAMES} on {@code PATH}), or the bare name {@code chromium} when there is none,
   * which starting a node then reports with what to install. Never the headless shell: the pool's Grid
   * requests are made for full Chromium (its switches and its new headless mode).
   */
  public static final Path CHROMIUM =
      Binaries.findChromium(System.getenv()).orElse(Path.of(Binaries.CHROMIUM_NAMES.get(0)));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** The name it was given (in its dir's name and in messages). */
  public final String name;
  /** Its own dir (config, log, {@link #tmp}), deleted by {@link #close()}. */
  public final Path dir;
  /** The {@code TMPDIR} of the Grid JVM and everything it starts. */
  public final Path tmp;
  /** The port it listens on, on 127.0.0.1. */
  public final int port;
  /** The Grid JVM. */
  public final Process process;
  private final Path log;

  private GridProcess(String name, Path dir, Path tmp, int port, Process process, Path log) {
    this.name = name;
    this.dir = dir;
    this.tmp = tmp;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** A standalone Grid with {@code maxSessions} Chromium slots and the given session-timeout. */
  public static GridProcess standalone(String name, int sessionTimeoutSeconds, int maxSessions) throws IOException {
    return standalone(name, sessionTimeoutSeconds, maxSessions, CHROMIUM, CHROMEDRIVER);
  }

  /** {@link #standalone(String, int, int)} whose slots run the given Chromium and chromedriver binaries. */
  public static GridProcess standalone(String name, int sessionTimeoutSeconds, int maxSessions, Path chromium,
      Path chromedriver) throws IOException {
    int port = freePort();
    String toml = server(port) + node(sessionTimeoutSeconds, maxSessions, null, chromium, chromedriver)
        + "[distributor]\nreject-unsupported-caps = true\n";
    return start(name, "standalone", port, toml);
  }

  /** A hub (router, distributor, session map, queue) whose event bus listens on two more free ports. */
  public static GridProcess hub(String name) throws IOException {
    int port = freePort();
    int publish = freePort();
    int subscribe = freePort();
    String toml = server(port)
        + "[events]\npublish = \"tcp://127.0.0.1:" + publish + "\"\nsubscribe = \"tcp://127.0.0.1:" + subscribe
        + "\"\nbind = true\n\n"
        + "[distributor]\nreject-unsupported-caps = true\nhealthcheck-interval = 2\n\n"
        + "[sessionqueue]\nsession-request-timeout = 60\n";
    GridProcess hub = start(name, "hub", port, toml);
    hub.eventPorts = new int[] {publish, subscribe};
    return hub;
  }

  private int[] eventPorts;

  /** A node registered with {@code hub}. */
  public static GridProcess node(String name, GridProcess hub, int sessionTimeoutSeconds, int maxSessions)
      throws IOException {
    return node(name, hub, sessionTimeoutSeconds, maxSessions, CHROMIUM, CHROMEDRIVER);
  }

  /** {@link #node(String, GridProcess, int, int)} whose slots run the given Chromium and chromedriver binaries. */
  public static GridProcess node(String name, GridProcess hub, int sessionTimeoutSeconds, int maxSessions,
      Path chromium, Path chromedriver) throws IOException {
    int port = freePort();
    String toml = server(port)
        + "[events]\npublish = \"tcp://127.0.0.1:" + hub.eventPorts[0] + "\"\nsubscribe = \"tcp://127.0.0.1:"
        + hub.eventPorts[1] + "\"\n\n"
        + node(sessionTimeoutSeconds, maxSessions, hub, chromium, chromedriver);
    return start(name, "node", port, toml);
  }

  private static String server(int port) {
    return "[server]\nhost = \"127.0.0.1\"\nport = " + port + "\n\n";
  }

  private static String node(int sessionTimeoutSeconds, int maxSessions, GridProcess hub, Path chromium,
      Path chromedriver) {
    requireExecutable(chromedriver, "chromedriver");
    requireExecutable(chromium, "Chromium");
    return "[node]\ndetect-drivers = false\nselenium-manager = false\nsession-timeout = " + sessionTimeoutSeconds
        + "\nmax-sessions = " + maxSessions + "\noverride-max-sessions = true\n"
        + (hub != null ? "hub = \"" + hub.url() + "\"\nheartbeat-period = 2\nregister-period = 1\n" : "")
        + "\n[[node.driver-configuration]]\ndisplay-name = \"chromium\"\nwebdriver-executable = \""
        + chromedriver + "\"\nmax-sessions = " + maxSessions
        + "\nstereotype = '{\"browserName\": \"chrome\", \"goog:chromeOptions\": {\"binary\": \"" + chromium
        + "\"}}'\n\n";
  }

  private static void requireExecutable(Path binary, String what) {
    if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
      throw new IllegalStateException("The " + what + " binary " + binary + " is missing or not executable: run"
          + " scripts/setup.sh, which installs Debian's chromium and chromium-driver packages (apt-get install -y"
          + " chromium chromium-driver), set CHROME_PATH, or pass the binaries to GridProcess.standalone or node");
    }
  }

  private static GridProcess start(String name, String role, int port, String toml) throws IOException {
    Path dir = Files.createTempDirectory("bp-grid-" + name + "-").toRealPath();
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path config = Files.writeString(dir.resolve("grid.toml"), toml);
    Path log = dir.resolve("grid.log");
    String java = ProcessHandle.current().info().command().orElseThrow();
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "org.openqa.selenium.grid.Main", role,
        "--config", config.toString())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SE_OFFLINE", "true");
    pb.environment().put("TMPDIR", tmp.toString());
    return new GridProcess(name, dir, tmp, port, pb.start(), log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Its address, {@code http://127.0.0.1:<port>}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Waits until {@code GET /status} says ready and lists {@code nodes} nodes that are UP. */
  public GridProcess awaitReady(int nodes, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        JsonNode v = status(url());
        int up = 0;
        for (JsonNode n : v.path("nodes")) {
          up += "UP".equals(n.path("availability").asText()) ? 1 : 0;
        }
        if (v.path("ready").asBoolean() && up >= nodes) {
          return this;
        }
      } catch (IOException | RuntimeException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " was not ready with " + nodes + " nodes within " + timeout + ":\n" + log());
  }

  /** Waits until this node's own /status answers (a node's readiness, before it has registered). */
  public GridProcess awaitListening(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        status(url());
        return this;
      } catch (IOException | RuntimeException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(name + " did not listen within " + timeout + ":\n" + log());
  }

  /** The last 6000 characters of its log, for failure messages. */
  public String log() {
    try {
      String text = Files.readString(log);
      return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The {@code value} of {@code GET /status}. */
  public static JsonNode status(URI grid) throws IOException {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(grid + "/status"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body()).path("value");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** One session the Grid lists: its id, its node, and its owner label (null when unlabelled). */
  public record GridSession(String id, String node, JsonNode owner) {}

  /** Every session the Grid's nodes list in {@code /status}. */
  public static List<GridSession> sessions(URI grid) {
    try {
      List<GridSession> out = new ArrayList<>();
      for (JsonNode n : status(grid).path("nodes")) {
        for (JsonNode slot : n.path("slots")) {
          JsonNode s = slot.path("session");
          if (s.hasNonNull("sessionId")) {
            out.add(new GridSession(s.get("sessionId").asText(), n.path("uri").asText(),
                s.path("capabilities").get("browserpool:owner")));
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many new-session requests wait in the Grid's queue. */
  public static int queued(URI grid) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(grid + "/se/grid/newsessionqueue/queue"))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).path("value").size();
  }

  /** The ids of {@link #sessions}. */
  public static List<String> sessionIds(URI grid) {
    return sessions(grid).stream().map(GridSession::id).toList();
  }

  /** Creates a session directly over W3C, without the pool (an unlabelled session of someone else). */
  public static String createSession(URI grid, String extraCapsJson) throws IOException, InterruptedException {
    String body = "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\",\"goog:chromeOptions\":{\"args\":"
        + "[\"--headless\",\"--no-sandbox\",\"--disable-background-networking\"]}" + extraCapsJson + "}}}";
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(grid + "/session"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode v = JSON.readTree(r.body()).path("value");
    if (r.statusCode() != 200) {
      throw new IOException("POST /session: " + r.statusCode() + " " + v.path("message").asText());
    }
    return v.path("sessionId").asText();
  }

  /**
   * Whether the session answers a command ({@code GET /session/{id}/timeouts} is 200). Authoritative at
   * once, unlike /status, whose slots follow a moment later. It counts as an access to the session.
   */
  public static boolean sessionAlive(URI grid, String id) throws IOException, InterruptedException {
    return probe(grid, id) == 200;
  }

  /** Whether the Grid answers 404 for the session: it no longer exists (while it is ending, it answers 500). */
  public static boolean sessionGone(URI grid, String id) throws IOException, InterruptedException {
    return probe(grid, id) == 404;
  }

  private static int probe(URI grid, String id) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(grid + "/session/" + id + "/timeouts"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** {@code DELETE /session/{id}}; returns the HTTP status. */
  public static int deleteSession(URI grid, String id) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(grid + "/session/" + id)).timeout(Duration.ofSeconds(30))
        .DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Live processes this Grid started (chromedriver, Chromium), found by their TMPDIR; not the Grid JVM. */
  public List<Long> processes() {
    return ProcessTable.withEnvironment("TMPDIR=" + tmp).stream().filter(pid -> pid != process.pid()).toList();
  }

  /** kill -9 of the Grid JVM only: its chromedriver and Chromium processes survive it. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * SIGKILLs what this Grid started and is still alive, again and again until nothing is left (a
   * browser may spawn a child while its siblings are being killed); returns how many it killed.
   */
  public int killLeftovers() throws InterruptedException {
    java.util.Set<Long> killed = new java.util.HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (List<Long> left = processes(); !left.isEmpty(); left = processes()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(name + ": processes survive SIGKILL: " + left);
      }
      for (long pid : left) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        killed.add(pid);
      }
      Thread.sleep(50);
    }
    return killed.size();
  }

  /**
   * Stops the Grid JVM (SIGTERM, then SIGKILL), kills leftovers by PID and deletes the dir. It finishes
   * even when the calling thread is interrupted (a test's timeout): the interrupt is kept for after.
   */
  @Override
  public void close() throws Exception {
    boolean interrupted = Thread.interrupted();
    try {
      stopAndClean();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void stopAndClean() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    killLeftovers();
    for (int attempt = 1; Files.exists(dir); attempt++) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // a file vanished while walking: walk again
      }
      if (Files.exists(dir) && attempt == 5) {
        throw new IllegalStateException(name + ": could not delete " + dir);
      }
    }
  }
}
