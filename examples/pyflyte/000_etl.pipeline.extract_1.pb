
ë
6flytesnacksdevelopment"etl.pipeline.extract*v1python-task%1.16.31python"¬*(21.0".


date


o0
rows extracted2Ì
ghcr.io/example/etl:1.4.2pyflyte-execute--inputs
{{.input}}--output-prefix{{.outputPrefix}}--raw-output-data-prefix{{.rawOutputDataPrefix}}
--resolver9flytekit.core.python_auto_container.default_task_resolver--task-moduleetl.pipeline	task-nameextract"#
500m
1Gi12Gi*
	LOG_LEVELinfo