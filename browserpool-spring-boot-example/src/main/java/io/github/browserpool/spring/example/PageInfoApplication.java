package io.github.browserpool.spring.example;

import io.github.browserpool.examples.DemoSite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot web service with one endpoint, {@code GET /page-info?url=...}, that leases a browser from
 * the starter's pool, opens the page and returns its title and links as JSON. The pool is configured in
 * application.properties only. Run it (after {@code mvn -B -q -DskipTests install}) with {@code mvn -B -q
 * -pl browserpool-spring-boot-example exec:java
 * -Dexec.mainClass=io.github.browserpool.spring.example.PageInfoApplication}: it serves a local demo
 * site beside itself and logs a URL to try.
 */
@SpringBootApplication
public class PageInfoApplication {
  private static final Logger LOG = LoggerFactory.getLogger(PageInfoApplication.class);

  public static void main(String[] args) {
    try (DemoSite site = DemoSite.start(20);
        var context = SpringApplication.run(PageInfoApplication.class, args)) {
      String port = context.getEnvironment().getProperty("local.server.port");
      LOG.info("try: curl 'http://127.0.0.1:{}/page-info?url={}'; health and metrics at /actuator/health and"
          + " /actuator/metrics. Stop with Ctrl-C.", port, site.startUrl());
      Thread.currentThread().join(); // until the JVM stops; Boot's shutdown hook closes the context
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
