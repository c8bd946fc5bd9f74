# bash completion for cardctl(1), installed as
# /usr/share/bash-completion/completions/cardctl. It completes subcommands,
# their flags, and the values that can be known without asking cardd: files,
# serial devices, parity letters, "all", loss reasons, account roles. Names of devices and
# card numbers would need the control socket, which completion does not open.
# tests/package/completion_test.sh checks it against every --help of cardctl.

# The subcommands under a command path ("" is cardctl itself).
_cardctl_subcommands()
{
    case $1 in
        '') echo format device person card losses audit failed resync collect pending status encoder backup account ;;
        format) echo show set ;;
        device) echo add-terminal add-encoder list remove read-params accept-serial ;;
        person) echo add list search departments ;;
        card) echo issue topup refund-close info read init loss unlock replace return ;;
        encoder) echo cancel sim-place sim-remove ;;
        account) echo add list passwd disable enable remove ;;
    esac
}

# The flags of a command path, --help included.
_cardctl_flags()
{
    # The flags of every command that waits for a card on the encoder.
    local on_encoder='--encoder --wait'
    case $1 in
        '') echo --help --version --socket --json --timeout ;;
        'format set') echo --help --sector --card-no-digits --max-card-no ;;
        'device add-terminal') echo --help --tcp --rtu --baud --parity --unit ;;
        'device add-encoder') echo --help --usb --sim ;;
        'person add') echo --help --name --dept --issue --card-no --opening --cost "$on_encoder" ;;
        'person search') echo --help --dept --offset --limit ;;
        'card issue') echo --help --card-no --opening --cost --csv --staff-nos --assign-from --rehearse "$on_encoder" ;;
        'card topup' | 'card read' | 'card init') echo --help "$on_encoder" ;;
        'card refund-close') echo --help --no-wipe --write-off "$on_encoder" ;;
        'card info') echo --help --read "$on_encoder" ;;
        'card loss') echo --help --push --devices --reason ;;
        'card unlock') echo --help --push --devices ;;
        'card replace') echo --help --new-card-no --cost --write-off "$on_encoder" ;;
        'card return') echo --help --wipe --no-refund --write-off "$on_encoder" ;;
        losses) echo --help --from --to --serial --open ;;
        audit) echo --help --account --uid --action --from --to --limit ;;
        resync) echo --help --failed --device --cards --devices ;;
        collect) echo --help --devices ;;
        'encoder sim-place') echo --help --blank --uid --foreign --count --encoder ;;
        'encoder sim-remove') echo --help --after --encoder ;;
        'encoder cancel') echo --help --encoder ;;
        'account add') echo --help --role --password-stdin ;;
        'account passwd') echo --help --password-stdin ;;
        *) echo --help ;;
    esac
}

# Flags followed by a value, so that the value is not read as a subcommand.
_cardctl_takes_value()
{
    case $1 in
        --socket | --timeout | --sector | --card-no-digits | --max-card-no | --tcp | --rtu | \
            --baud | --parity | --unit | --usb | --name | --dept | --card-no | --opening | \
            --cost | --encoder | --wait | --csv | --devices | --new-card-no | --from | --to | \
            --serial | --device | --cards | --uid | --count | --after | --offset | --limit | \
            --reason | --staff-nos | --assign-from | --role | --account | --action) return 0 ;;
    esac
    return 1
}

_cardctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # The value of the flag just typed.
    case $prev in
        --socket | --csv)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return ;;
        --rtu)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "${cur:-/dev/tty}")
            return ;;
        --parity)
            mapfile -t COMPREPLY < <(compgen -W 'N E O' -- "$cur")
            return ;;
        --devices)
            mapfile -t COMPREPLY < <(compgen -W 'all' -- "$cur")
            return ;;
        --reason)
            mapfile -t COMPREPLY < <(compgen -W 'lost damaged expired other' -- "$cur")
            return ;;
        --role)
            mapfile -t COMPREPLY < <(compgen -W 'admin issuer viewer' -- "$cur")
            return ;;
    esac
    if _cardctl_takes_value "$prev"; then
        return
    fi

    # The command path typed so far: the words that name a subcommand of the
    # path before them, past flags and their values.
    local path='' i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if _cardctl_takes_value "$word"; then
            ((i++))
            continue
        fi
        case $word in -*) continue ;; esac
        case " $(_cardctl_subcommands "$path") " in
            *" $word "*) path=${path:+$path }$word ;;
        esac
    done

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_cardctl_flags "$path")" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -W "$(_cardctl_subcommands "$path")" -- "$cur")
    fi
}

complete -F _cardctl cardctl
