using RemovalWorkflow;

namespace RemovalWorkflow.Web;

/// <summary>
/// The web host of seed 001: the <c>removal_workflow</c> and <c>removal_queue</c> jobs on a simulated WhatsApp group,
/// behind <c>/admin/jobs</c> (the HTTP API of the seed) and the dashboard at <c>/admin/jobs/ui</c>.
/// </summary>
public sealed class RemovalWorkflowWebApp
{
    /// <summary>The address the sample listens on unless <c>ASPNETCORE_URLS</c> or <c>--urls</c> says otherwise.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    private RemovalWorkflowWebApp()
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

        // 40 members, half of them silent for more than 30 days: the seed's dry run finds 20 to remove, in 4 batches of 5.
        builder.Services.AddSimulatedWhatsAppGroup(new SimulatedGroupOptions { MemberCount = 40 });
        builder.Services.AddCancellableJobs().AddRemovalJobs();

        var app = builder.Build();
        app.MapGet("/", () => Results.Redirect("/admin/jobs/ui"));

        // Local requests only (the default): the sample listens on localhost. A real app adds
        // .RequireAuthorization("admins") and opens it to its admins.
        app.MapCancellableJobs("/admin/jobs");
        return app;
    }
}
