/**
 * browserpool: a pool of headless Chromium browsers. Only {@code io.github.browserpool} is exported: the
 * engine ({@code pool}), the launcher SPI ({@code spi}), the lease contexts ({@code context}), the kinds
 * of browser ({@code local}, {@code grid}), the CDP transport ({@code cdp}), the process layer ({@code
 * chrome}), the lease endpoint ({@code endpoint}) and the session states and built-in stores ({@code
 * session}) are internal.
 */
module io.github.browserpool {
  exports io.github.browserpool;

  requires transitive cdt.java.client; // lease.newPage() returns cdt's ChromeDevToolsService
  requires org.slf4j;
  requires transitive com.fasterxml.jackson.databind; // RawPage speaks JsonNode
  requires io.netty.codec.http;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.codec;
  requires java.management;
  requires java.net.http;
}
