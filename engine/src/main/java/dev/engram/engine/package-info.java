/**
 * The embeddable engine API (not built yet: see issue 4).
 */
package dev.engram.engine;
