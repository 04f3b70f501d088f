import DHTDaemon
import DHTNode
import Foundation
import Hummingbird
import HummingbirdTesting
import Kademlia
import Prometheus
import Testing

/// The control API's routes, driven in memory (HummingbirdTesting's router mode) over a ``FakeNode``.
@Suite struct ControlAPITests {
    let node = FakeNode()
    let token = APIToken.generate()
    let registry = PrometheusCollectorRegistry()

    private func withApp(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: ControlAPI.router(node: node, token: token, metrics: registry))
        try await app.test(.router, test)
    }

    private func bearer(_ text: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(text)"
        return headers
    }

    @Test func everyV1RouteRefusesARequestWithoutTheToken() async throws {
        let key = NodeID(naming: "k").hex
        let routes: [(String, HTTPRequest.Method)] = [
            ("/v1/id", .get), ("/v1/peers", .get), ("/v1/stats", .get), ("/v1/closest/\(key)", .get),
            ("/v1/values/\(key)", .put), ("/v1/values/\(key)", .get), ("/v1/providers/\(key)", .post),
            ("/v1/providers/\(key)", .get),
        ]
        let wrong = APIToken.generate()
        try await withApp { client in
            for (path, method) in routes {
                for headers in [HTTPFields(), bearer(wrong.text), bearer(""), [.authorization: "Basic \(token.text)"]] {
                    try await client.execute(uri: path, method: method, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(method) \(path)")
                        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                        let error = try JSONDecoder().decode(
                            ErrorDocument.self,
                            from: Data(response.body.readableBytesView)
                        )
                        #expect(error.error.code == "unauthorized")
                    }
                }
            }
        }
    }

    @Test func theRightTokenIsAccepted() async throws {
        try await withApp { client in
            try await client.execute(uri: "/v1/id", method: .get, headers: bearer(token.text)) { response in
                #expect(response.status == .ok)
                let info = try JSONDecoder().decode(NodeInfoDocument.self, from: Data(response.body.readableBytesView))
                #expect(info.id == node.id.hex)
                #expect(info.listen == ["127.0.0.1:4001"])
                #expect(info.routingTableSize == 1)
            }
        }
    }

    @Test func putThenGetRoundTripsTheBytes() async throws {
        let key = NodeID(naming: "greeting").hex
        try await withApp { client in
            try await client.execute(
                uri: "/v1/values/\(key)?ttl=60",
                method: .put,
                headers: bearer(token.text),
                body: ByteBuffer(string: "hello")
            ) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(PublishDocument.self, from: Data(response.body.readableBytesView))
                #expect(report.accepted == 1)
                #expect(report.key == key)
            }
            try await client.execute(uri: "/v1/values/\(key)", method: .get, headers: bearer(token.text)) { response in
                let values = try JSONDecoder().decode(ValuesDocument.self, from: Data(response.body.readableBytesView))
                #expect(values.values.map(\.text) == ["hello"])
                #expect(values.values.first?.bytes == Array("hello".utf8))
            }
        }
    }

    @Test func aKeyThatIsNot64HexDigitsIsABadRequest() async throws {
        try await withApp { client in
            for key in ["greeting", String(repeating: "a", count: 63), String(repeating: "g", count: 64)] {
                try await client.execute(uri: "/v1/values/\(key)", method: .get, headers: bearer(token.text)) {
                    response in
                    #expect(response.status == .badRequest)
                    let error = try JSONDecoder().decode(
                        ErrorDocument.self,
                        from: Data(response.body.readableBytesView)
                    )
                    #expect(error.error.code == "bad_request")
                }
            }
        }
    }

    @Test(arguments: [
        (NodeError.notRunning, 503, "not_running"),
        (.tooManyOperations, 429, "too_many_operations"),
        (.noReachableNodes, 504, "no_reachable_nodes"),
        (.valueTooLarge(bytes: 2000, limit: 1000), 413, "value_too_large"),
    ])
    func nodeErrorsMapToStatusCodes(error: NodeError, status: Int, code: String) async throws {
        node.failure.withLock { $0 = error }
        try await withApp { client in
            try await client.execute(uri: "/v1/peers", method: .get, headers: bearer(token.text)) { response in
                #expect(response.status.code == status)
                let body = try JSONDecoder().decode(ErrorDocument.self, from: Data(response.body.readableBytesView))
                #expect(body.error.code == code)
                #expect(body.error.message == error.description)
            }
        }
    }

    @Test func metricsNeedNoToken() async throws {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "dht_test", unitName: "total", helpText: "")).increment()
        try await withApp { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(String(buffer: response.body).contains("dht_test_total 1"))
            }
        }
    }
}
