"""Generated protobuf modules of the flytespec.options package. Do not edit: run `make gen`."""
