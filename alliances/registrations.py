"""What alliances plugs into the apps below it (they do not import alliances). Called from
AlliancesConfig.ready().

- community.hooks.expert_directory <- expert_directory (alliances/experts.py: who is an expert, for
  the Q&A app)."""


def expert_directory():
    from .experts import DIRECTORY

    return DIRECTORY


def register() -> None:
    from community import hooks

    hooks.expert_directory.register(expert_directory)
