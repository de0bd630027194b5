using RemovalWorkflow.Web;

RemovalWorkflowWebApp.Build(args).Run();
