/// The JSON examples of the seed API pages in /work/shared/seeds, copied
/// verbatim (the first example on each page; the second is identical).
enum SeedExamples {
    /// 000_4414230741ada88f.txt
    static let dexCommands = """
    {
      "errors": [
        {
          "code": 1000,
          "message": "message",
          "documentation_url": "documentation_url",
          "source": {
            "pointer": "pointer"
          }
        }
      ],
      "messages": [
        {
          "code": 1000,
          "message": "message",
          "documentation_url": "documentation_url",
          "source": {
            "pointer": "pointer"
          }
        }
      ],
      "success": true,
      "result": {
        "quota": 0,
        "quota_usage": 0,
        "reset_time": "2019-12-27T18:11:19.117Z"
      },
      "result_info": {
        "count": 1,
        "page": 1,
        "per_page": 20,
        "total_count": 2000,
        "total_pages": 100
      }
    }
    """

    /// 002_36124c91e80b2228.txt
    static let workersBuilds = """
    {
      "errors": [
        {
          "code": 12000,
          "message": "Not found"
        }
      ],
      "messages": [
        "string"
      ],
      "result": {
        "build_minutes_refresh_on": "2019-12-27T18:11:19.117Z",
        "has_reached_build_minutes_limit": true
      },
      "success": true,
      "result_info": {
        "count": 25,
        "page": 1,
        "per_page": 50,
        "total_count": 150,
        "total_pages": 3
      }
    }
    """

    /// 003_6fb3acdbee9d238c.txt
    static let aiGatewaySpending = """
    {
      "errors": [
        {
          "code": 0,
          "message": "message"
        }
      ],
      "messages": [
        {
          "code": 0,
          "message": "message"
        }
      ],
      "result": {
        "config": {
          "amount": 0,
          "duration": "duration",
          "strategy": "strategy"
        },
        "enabled": true
      },
      "success": true,
      "result_info": {
        "has_more": true,
        "page": 0,
        "per_page": 0,
        "total_count": 0
      }
    }
    """
}
