/// Default endpoints per region. Huawei Cloud's sites use
/// `{service}.{region}.myhuaweicloud.com`, except the European region
/// `eu-west-101`, which lives under `myhuaweicloud.eu`.
enum CESEndpoints {
    static func domain(region: String) -> String {
        region == "eu-west-101" ? "myhuaweicloud.eu" : "myhuaweicloud.com"
    }

    static func ces(region: String) -> String {
        "https://ces.\(region).\(domain(region: region))"
    }

    static func iam(region: String) -> String {
        "https://iam.\(region).\(domain(region: region))"
    }
}
