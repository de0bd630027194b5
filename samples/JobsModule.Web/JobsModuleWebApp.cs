using JobsModule.Web.Condensation;
using JobsModule.Web.Documents;
using JobsModule.Web.Projects;

namespace JobsModule.Web;

/// <summary>
/// The web host of seeds 002, 003 and 004: the project jobs (<c>import</c>, <c>export</c>, <c>validation</c>,
/// <c>test_run</c>), <c>document_processing</c> and <c>argument_condensation</c>, behind <c>/admin/jobs</c> and one
/// dashboard at <c>/admin/jobs/ui</c>.
/// </summary>
public sealed class JobsModuleWebApp
{
    /// <summary>The address the sample listens on unless <c>ASPNETCORE_URLS</c> or <c>--urls</c> says otherwise.</summary>
    public const string DefaultUrl = "http://localhost:5081";

    /// <summary>How many jobs run at once; the next ones wait as <c>pending</c> (seed 002's "queued").</summary>
    public const int MaxConcurrentJobs = 3;

    private JobsModuleWebApp()
    {
    }

    /// <summary>Builds the app.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The app, ready to run.</returns>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddSingleton<ChunkStore>();
        builder.Services.AddCancellableJobs(o => o.MaxConcurrentJobs = MaxConcurrentJobs)
            .AddJob<ImportJob, ProjectJobInput, ProjectJobResult>(ImportJob.JobType)
            .AddJob<ExportJob, ProjectJobInput, ProjectJobResult>(ExportJob.JobType)
            .AddJob<ValidationJob, ProjectJobInput, ProjectJobResult>(ValidationJob.JobType)
            .AddJob<TestRunJob, ProjectJobInput, ProjectJobResult>(TestRunJob.JobType)
            .AddJob<DocumentProcessingJob, DocumentInput, DocumentResult>(DocumentProcessingJob.JobType)
            .AddJob<ArgumentCondensationJob, CondensationInput, CondensationResult>(ArgumentCondensationJob.JobType);

        var app = builder.Build();
        app.MapGet("/", () => Results.Redirect("/admin/jobs/ui"));

        // Local requests only (the default): the sample listens on localhost. A real app adds
        // .RequireAuthorization("admins") and opens it to its admins.
        app.MapCancellableJobs("/admin/jobs");
        return app;
    }
}
