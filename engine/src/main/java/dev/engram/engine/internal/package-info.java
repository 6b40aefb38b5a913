/**
 * Not API: access to what is underneath the engine for the project's own benchmarks, harnesses and tests. Nothing
 * here is needed for ordinary use, and it may change without notice.
 */
package dev.engram.engine.internal;
