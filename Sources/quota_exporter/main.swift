print("quota_exporter")
