import Curl

/// The HTTP engine probes share: libcurl's multi interface, owned by the Curl module.
public typealias HTTPEngine = CurlMulti
