/// Response bodies the fake Huawei Cloud serves.
enum Fixtures {
    /// The 200 example of seed 001 ("Querying Quotas"), verbatim.
    static let seedQuotas = """
        {
          "quotas" : {
            "resources" : [ {
              "unit" : "",
              "type" : "alarm",
              "quota" : 1000,
              "used" : 10
            } ]
          }
        }
        """

    /// API Gateway's answer to a bad AK/SK signature (provider facts).
    static let signatureFailure = #"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#

    static let tokenInvalid = #"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: decrypt token fail"}"#

    /// IAM's Keystone-style error for a wrong password.
    static let iamWrongPassword = #"{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}"#

    /// One error body per status the seed documents, in Huawei's JSON shape.
    static let errorBodies: [Int: String] = [
        400: #"{"error_code":"ces.0014","error_msg":"Some content in message body is incorrect."}"#,
        401: signatureFailure,
        403: #"{"error_code":"ces.0015","error_msg":"Insufficient permissions. ces:quotas:get is required."}"#,
        408: #"{"error_code":"APIGW.0201","error_msg":"Request timed out."}"#,
        429: #"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute"}"#,
        500: #"{"error_code":"ces.0500","error_msg":"Internal service error."}"#,
        503: #"{"error_code":"ces.0503","error_msg":"The system is currently unavailable."}"#,
    ]
}
