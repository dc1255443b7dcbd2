"""Generated protobuf modules of the flytespec.core package. Do not edit: run `make gen`."""
