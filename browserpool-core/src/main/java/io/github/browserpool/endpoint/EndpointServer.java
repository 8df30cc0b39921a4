package io.github.browserpool.endpoint;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's CDP endpoint server: one WebSocket server on 127.0.0.1 and an ephemeral port, serving every
 * lease that asked for {@code cdpEndpoint()} at {@code ws://127.0.0.1:<port>/devtools/browser/<token>}.
 *
 * <p>Nothing is started until the first {@link #register}: a pool whose leases never ask has no port
 * and no thread. One daemon event-loop thread ({@code <poolName>-cdp-endpoint-N}) serves all clients'
 * sockets and never writes to a pipe; the clients' commands are written by daemon writer threads
 * ({@code <poolName>-cdp-endpoint-writer-N}, at most {@link #WRITER_THREADS}; an idle one is reused
 * before another starts, one stays while the server runs and the others end after 5 s idle), one
 * client's commands at a time and in order. {@link #close()} closes every client (1001) and
 * the port, and ends the threads. Thread-safe.
 *
 * <p>What one client may cost the pool is bounded: {@link #MAX_CLIENT_MESSAGE_BYTES} per message it
 * sends, {@link #PAUSE_READING_CHARS} of its commands waiting for the pipe, {@link
 * #MAX_COMMANDS_IN_FLIGHT} commands waiting for their reply, {@link #MAX_PENDING_CLIENT_CHARS} of
 * messages waiting for it to read them; and so is their number, {@link #MAX_CLIENTS_PER_LEASE} and
 * {@link #MAX_CLIENTS_PER_POOL}.
 */
public final class EndpointServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointServer.class);

  /**
   * The largest client message (64 MiB), well under Chromium's 100 MiB pipe limit (one bigger message
   * kills the pipe for every session). A larger one closes its client with 1009 and never reaches the
   * pipe. Playwright sends up to ~345 KB. What the browser sends a client is bounded by {@link
   * #MAX_PENDING_CLIENT_CHARS} of backlog, not per message.
   */
  public static final int MAX_CLIENT_MESSAGE_BYTES = 64 * 1024 * 1024;

  /**
   * How far (64 Mi characters of CDP JSON, about 64 MiB) a client may fall behind the browser's messages
   * before it is closed with 1008 and its sessions are detached; the lease goes on and a new client may
   * connect. Chosen from legitimate traffic: a Playwright or Puppeteer screenshot is 1-2 MB in one message,
   * a screencast frame 50-300 KB, a big DOM snapshot or full-page PDF 10-30 MB; a client that reads at
   * all stays far below this, while one that stopped reading would otherwise grow the JVM without bound.
   * One message larger than this is still delivered when nothing else waits.
   */
  public static final long MAX_PENDING_CLIENT_CHARS = 64L * 1024 * 1024;

  /**
   * Above this many characters (8 Mi) of one client's commands waiting for the browser's pipe, the
   * endpoint stops reading that client's socket until they are down to half of it, so TCP holds the
   * client back. Far above what Playwright or Puppeteer keep in flight (single commands up to ~345 KB).
   */
  public static final long PAUSE_READING_CHARS = 8L * 1024 * 1024;

  /**
   * The most commands (1024) one client may have waiting for their reply; more get an error reply
   * (-32000, "wait for replies before sending more"). Playwright and Puppeteer keep a few dozen at most.
   */
  public static final int MAX_COMMANDS_IN_FLIGHT = 1024;

  /** The most clients (16) connected to one lease's endpoint at once; more get HTTP 429. */
  public static final int MAX_CLIENTS_PER_LEASE = 16;

  /** The most clients (256) connected to one pool's endpoints at once; more get HTTP 503. */
  public static final int MAX_CLIENTS_PER_POOL = 256;

  /**
   * The most writer threads. A writer is held only while a write waits for a pipe: at most one per frozen
   * browser is stuck in a write (until the browser is killed); the others wait for the pipe at most until
   * their command's reply is due ({@code callTimeout}) or their client ends.
   */
  static final int WRITER_THREADS = 64;

  /**
   * How long after its relay ended (the lease released or revoked, or the client closed with an error
   * code) a client that has not completed the close handshake keeps its socket: then it is {@link #drop
   * dropped}.
   */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

  /**
   * How long {@link #close()} gives its clients to answer their close frame (1 s) before it drops them;
   * counted from the start of the close, alongside the port's own close.
   */
  static final Duration CLOSE_ANSWER_AT_SHUTDOWN = Duration.ofSeconds(1);

  /**
   * The client socket's outbound water marks: messages go to the socket while it holds less than the high
   * mark, and wait in the relay's bounded outbox otherwise.
   */
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

  private final String poolName;
  private final String logPrefix;
  private final Duration callTimeout;
  private final LeaseTokens<LeaseEndpoint> tokens = new LeaseTokens<>();
  private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
  private final Object startLock = new Object();
  // Guarded by startLock.
  private EventLoopGroup group;
  private ThreadPoolExecutor writers;
  private Channel server;
  private int port;
  private boolean closed;

  /**
   * @param callTimeout how long a client's command may wait for the browser's reply before the client is
   *     closed with 1011 (the pool's {@code callTimeout})
   */
  public EndpointServer(String poolName, Duration callTimeout) {
    this.poolName = Objects.requireNonNull(poolName, "poolName");
    this.logPrefix = "[" + poolName + "] ";
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
  }

  /**
   * Gives a lease its endpoint, starting the server on first use. The token dies when the lease is
   * released ({@link LeaseScope#onRelease}) or otherwise ends.
   *
   * @throws IllegalStateException when the server is closed or cannot bind 127.0.0.1
   */
  public URI register(LeaseScope scope) {
    int boundPort = start();
    for (LeaseEndpoint old : tokens.values()) {
      if (old.isEnded()) { // revoked or crashed leases: their tokens go now, not only when next used
        old.end("browserpool: " + old.scope.describe() + " has ended", false);
      }
    }
    LeaseEndpoint endpoint = tokens.issue(token -> new LeaseEndpoint(this, scope, token, boundPort));
    scope.onRelease(endpoint::released);
    log.debug("{}CDP endpoint for {} on port {}", logPrefix, scope.describe(), boundPort);
    return endpoint.uri;
  }

  /** Whether the server is listening (it starts on the first {@link #register}). */
  public boolean isStarted() {
    synchronized (startLock) {
      return server != null && !closed;
    }
  }

  /** The port, or 0 before the server started. */
  public int port() {
    synchronized (startLock) {
      return port;
    }
  }

  /** The lease behind a token from a request path, or null (unknown, expired or ended). */
  LeaseEndpoint lookup(String token) {
    LeaseEndpoint endpoint = tokens.find(token);
    if (endpoint != null && endpoint.isEnded()) {
      endpoint.end("browserpool: " + endpoint.scope.describe() + " has ended", false);
      return null;
    }
    return endpoint;
  }

  void forget(LeaseEndpoint endpoint) {
    tokens.remove(endpoint.token);
  }

  String logPrefix() {
    return logPrefix;
  }

  String poolName() {
    return poolName;
  }

  Duration callTimeout() {
    return callTimeout;
  }

  /** The writer threads (see the class comment); they reject work once the server is closed. */
  Executor writers() {
    synchronized (startLock) {
      return writers != null ? writers : command -> {
        throw new RejectedExecutionException(logPrefix + "the CDP endpoint server is not running");
      };
    }
  }

  /** How many clients are connected to this pool's endpoints. */
  int clientCount() {
    int count = 0;
    for (LeaseEndpoint endpoint : tokens.values()) {
      count += endpoint.relays.size();
    }
    return count;
  }

  /**
   * Drops a client's socket now, if it is still open: an abortive close (a TCP reset), so that neither
   * side's kernel keeps what the client never read, and the client's connection ends even if it never
   * reads again. For a client that did not answer the close frame within {@link #CLOSE_GRACE}, or that
   * had not answered it when the server closed.
   */
  void drop(Channel channel) {
    if (!channel.isOpen()) {
      return;
    }
    log.debug("{}CDP endpoint dropped client socket {}: it did not complete the close handshake", logPrefix, channel);
    try {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException e) {
      log.debug("{}could not set SO_LINGER 0 on {}: {}", logPrefix, channel, e.toString());
    }
    channel.close();
  }

  void track(Channel channel) {
    clients.add(channel);
    channel.closeFuture().addListener(f -> clients.remove(channel));
  }

  private int start() {
    synchronized (startLock) {
      if (closed) {
        throw new IllegalStateException(logPrefix + "the pool is closed; its CDP endpoint server is gone");
      }
      if (server != null) {
        return port;
      }
      EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1,
          new DefaultThreadFactory(poolName + "-cdp-endpoint", true), NioIoHandler.newFactory());
      try {
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(loops)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                track(ch);
                ch.pipeline()
                    .addLast("http", new HttpServerCodec())
                    .addLast("http-aggregate", new HttpObjectAggregator(64 * 1024))
                    .addLast("endpoint", new EndpointHandler(EndpointServer.this));
              }
            });
        Channel bound = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly().channel();
        server = bound;
        group = loops;
        writers = writerThreads(poolName, logPrefix);
        port = ((InetSocketAddress) bound.localAddress()).getPort();
        log.info("{}CDP endpoint server listening on 127.0.0.1:{}", logPrefix, port);
        return port;
      } catch (RuntimeException e) {
        loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        throw new IllegalStateException(logPrefix + "could not start the CDP endpoint server on 127.0.0.1: " + e, e);
      }
    }
  }

  /**
   * The writer threads. A command goes to a writer that waits idle if there is one, else to a new writer
   * (up to {@link #WRITER_THREADS}), else it waits in the queue for the first writer that is done. So a
   * client that sends one command at a time keeps one warm writer, and a writer stuck on a frozen
   * browser's pipe never holds up another browser's commands while fewer than {@link #WRITER_THREADS}
   * are stuck. One writer stays while the server runs, so a queued command always has a writer to take
   * it; the others end after 5 s idle.
   */
  static ThreadPoolExecutor writerThreads(String poolName, String logPrefix) {
    AtomicInteger count = new AtomicInteger();
    HandOff queue = new HandOff();
    ThreadPoolExecutor threads = new ThreadPoolExecutor(1, WRITER_THREADS, 5, TimeUnit.SECONDS, queue, task -> {
      Thread thread = new Thread(task, poolName + "-cdp-endpoint-writer-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }, (task, executor) -> {
      if (executor.isShutdown()) {
        throw new RejectedExecutionException(logPrefix + "the CDP endpoint server is closed");
      }
      queue.put(task); // every writer is busy: the first one done takes it
    });
    return threads;
  }

  /**
   * The writers' queue: {@code offer} (how the executor hands a task over) succeeds only when an idle
   * writer takes the task at once, so that otherwise the executor starts a writer rather than queue behind
   * a stuck one; {@code put} (the executor's full-house path above) queues.
   */
  private static final class HandOff extends LinkedTransferQueue<Runnable> {
    @Override
    public boolean offer(Runnable task) {
      return tryTransfer(task);
    }
  }

  /**
   * Closes every client with 1001, the port and the threads; a client that has not answered its close
   * frame within {@link #CLOSE_ANSWER_AT_SHUTDOWN} (it stopped reading) is {@link #drop dropped}. Waits up
   * to 3 s (for the port, the clients' answers and idle threads, never for a write stuck on a frozen
   * browser's pipe). Idempotent.
   */
  @Override
  public void close() {
    EventLoopGroup loops;
    ThreadPoolExecutor writing;
    Channel listening;
    synchronized (startLock) {
      if (closed) {
        return;
      }
      closed = true;
      loops = group;
      writing = writers;
      listening = server;
    }
    if (loops == null) {
      return;
    }
    for (LeaseEndpoint endpoint : tokens.values()) {
      endpoint.end("browserpool: the pool was closed", false);
    }
    long answerBy = System.nanoTime() + CLOSE_ANSWER_AT_SHUTDOWN.toNanos();
    listening.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    // A client that reads answers its close frame at once, and EndpointHandler closes its socket then; one
    // that stopped reading never takes the frame: past the deadline it is dropped.
    for (Channel client : clients) {
      long left = answerBy - System.nanoTime();
      if (left > 0) {
        client.closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left));
      }
    }
    for (Channel client : clients) {
      drop(client);
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    writing.shutdownNow();
    // Idle writers end at once; a writer stuck on a frozen browser's pipe ends only when the pool kills that
    // browser, after this returns, so waiting for it would only take from the pool's closeTimeout.
    if (writing.getActiveCount() == 0) {
      try {
        writing.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    log.debug("{}CDP endpoint server closed", logPrefix);
  }
}
