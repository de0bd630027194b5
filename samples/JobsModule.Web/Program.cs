using JobsModule.Web;

JobsModuleWebApp.Build(args).Run();
