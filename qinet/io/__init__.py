"""Moving data in and out: imports (validate everything, then write once) and extracts."""
