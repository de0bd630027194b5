using RemovalWorkflow.ConsoleApp;
using Spectre.Console;

var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    console.Profile.Width = 240; // log files: keep member ids on one line instead of wrapping at 80 columns
}

// Everything happens in RemovalWorkflowApp, so the tests can run it in-process with their own console and clock.
return await RemovalWorkflowApp.RunAsync(args, console);
