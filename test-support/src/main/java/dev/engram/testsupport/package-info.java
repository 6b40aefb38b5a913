/**
 * What Engram's tests and harnesses share that does not depend on Engram: {@link dev.engram.testsupport.ChildJvm},
 * the one way to start a child JVM (the Engram flags from {@link dev.engram.testsupport.JvmFlags}, this JVM's class
 * path, output to files or line by line to a {@link dev.engram.testsupport.StdoutListener}, timeouts, a real
 * {@code kill -9}, exit values).
 */
package dev.engram.testsupport;
